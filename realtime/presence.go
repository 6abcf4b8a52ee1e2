package realtime

import (
	"cmp"
	"slices"
	"sync"
	"time"

	parley "github.com/parleyhq/parley"
)

// tracker holds the presence state this node has heard of, from its own
// sockets and from other nodes over the PresenceBus: who is viewing or typing
// in which conversation, and which nodes hold a socket of which agent. Every
// entry expires unless refreshed, so a node that dies without saying goodbye
// stops counting after a while. It is pure state: it returns the changes
// (notices) that the hub must tell clients about, and sends nothing itself.
type tracker struct {
	node       string // this node: its own entries never expire, its sockets are the truth
	viewingTTL time.Duration
	typingTTL  time.Duration
	nodeTTL    time.Duration

	mu      sync.Mutex
	viewers map[int64]map[int64]*viewerState // conversation → agent → state
	online  map[int64]*onlineState           // agent → nodes holding a socket
}

type viewerState struct {
	name         string
	viewingUntil time.Time
	typingUntil  time.Time // zero when not typing
}

type onlineState struct {
	name  string
	nodes map[string]time.Time // node → expiry
}

func newTracker(node string, viewingTTL, typingTTL, nodeTTL time.Duration) *tracker {
	return &tracker{
		node:       node,
		viewingTTL: viewingTTL,
		typingTTL:  typingTTL,
		nodeTTL:    nodeTTL,
		viewers:    make(map[int64]map[int64]*viewerState),
		online:     make(map[int64]*onlineState),
	}
}

// apply records p (an activity in a conversation, or an agent's node going
// online/offline) and returns the notice clients should see, or nil when
// nothing visible changed (a refresh).
func (t *tracker) apply(p *parley.PresenceInfo, now time.Time) *parley.PresenceInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p.ConversationID != 0 {
		return t.applyActivity(p, now)
	}
	return t.applyPresence(p, now)
}

func (t *tracker) applyActivity(p *parley.PresenceInfo, now time.Time) *parley.PresenceInfo {
	byAgent := t.viewers[p.ConversationID]
	st := byAgent[p.AgentID]
	if p.Activity == parley.ActivityLeft {
		if st == nil {
			return nil
		}
		t.removeViewer(p.ConversationID, p.AgentID)
		return activityNotice(p.AgentID, st.name, p.ConversationID, parley.ActivityLeft)
	}
	if st == nil {
		if byAgent == nil {
			byAgent = make(map[int64]*viewerState)
			t.viewers[p.ConversationID] = byAgent
		}
		st = &viewerState{}
		byAgent[p.AgentID] = st
	}
	before := st.activity(now)
	st.name = p.AgentName
	st.viewingUntil = now.Add(t.viewingTTL) // typing implies viewing
	if p.Activity == parley.ActivityTyping {
		st.typingUntil = now.Add(t.typingTTL)
	}
	if after := st.activity(now); after != before {
		return activityNotice(p.AgentID, st.name, p.ConversationID, after)
	}
	return nil
}

func (t *tracker) applyPresence(p *parley.PresenceInfo, now time.Time) *parley.PresenceInfo {
	st := t.online[p.AgentID]
	switch p.Presence {
	case parley.PresenceOnline:
		if st == nil {
			st = &onlineState{nodes: make(map[string]time.Time)}
			t.online[p.AgentID] = st
		}
		st.name = p.AgentName
		wasOnline := len(st.nodes) > 0
		until := now.Add(t.nodeTTL)
		if p.Node == t.node {
			until = time.Time{} // never: this node says goodbye itself
		}
		st.nodes[p.Node] = until
		if !wasOnline {
			return presenceNotice(p.AgentID, st.name, parley.PresenceOnline)
		}
	case parley.PresenceOffline:
		if st == nil {
			return nil
		}
		delete(st.nodes, p.Node)
		if len(st.nodes) == 0 {
			delete(t.online, p.AgentID)
			return presenceNotice(p.AgentID, st.name, parley.PresenceOffline)
		}
	}
	return nil
}

// expire drops what was not refreshed in time and returns the notices:
// typing that stopped (back to viewing), viewers gone (left), and agents whose
// last node went silent (offline).
func (t *tracker) expire(now time.Time) []*parley.PresenceInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	var notices []*parley.PresenceInfo
	for convID, byAgent := range t.viewers {
		for agentID, st := range byAgent {
			switch {
			case !now.Before(st.viewingUntil):
				t.removeViewer(convID, agentID)
				notices = append(notices, activityNotice(agentID, st.name, convID, parley.ActivityLeft))
			case !st.typingUntil.IsZero() && !now.Before(st.typingUntil):
				st.typingUntil = time.Time{}
				notices = append(notices, activityNotice(agentID, st.name, convID, parley.ActivityViewing))
			}
		}
	}
	for agentID, st := range t.online {
		for node, until := range st.nodes {
			if !until.IsZero() && !now.Before(until) {
				delete(st.nodes, node)
			}
		}
		if len(st.nodes) == 0 {
			delete(t.online, agentID)
			notices = append(notices, presenceNotice(agentID, st.name, parley.PresenceOffline))
		}
	}
	return notices
}

// viewersOf lists who is viewing or typing in a conversation, by agent id.
func (t *tracker) viewersOf(conversationID int64, now time.Time) []parley.PresenceInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []parley.PresenceInfo
	for agentID, st := range t.viewers[conversationID] {
		if now.Before(st.viewingUntil) {
			out = append(out, *activityNotice(agentID, st.name, conversationID, st.activity(now)))
		}
	}
	slices.SortFunc(out, func(a, b parley.PresenceInfo) int { return cmp.Compare(a.AgentID, b.AgentID) })
	return out
}

func (t *tracker) removeViewer(conversationID, agentID int64) {
	delete(t.viewers[conversationID], agentID)
	if len(t.viewers[conversationID]) == 0 {
		delete(t.viewers, conversationID)
	}
}

func (st *viewerState) activity(now time.Time) parley.Activity {
	switch {
	case st.viewingUntil.IsZero():
		return "" // new entry, nothing announced yet
	case !st.typingUntil.IsZero() && now.Before(st.typingUntil):
		return parley.ActivityTyping
	}
	return parley.ActivityViewing
}

func activityNotice(agentID int64, name string, conversationID int64, a parley.Activity) *parley.PresenceInfo {
	return &parley.PresenceInfo{AgentID: agentID, AgentName: name, ConversationID: conversationID, Activity: a}
}

func presenceNotice(agentID int64, name string, p parley.Presence) *parley.PresenceInfo {
	return &parley.PresenceInfo{AgentID: agentID, AgentName: name, Presence: p}
}
