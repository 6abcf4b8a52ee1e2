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

// viewerState is one agent in one conversation, from every node where they
// have it open: one tab closing on one node does not hide the agent while
// another node still shows them viewing it.
type viewerState struct {
	name  string
	shown parley.Activity // what clients were last told
	nodes map[string]*nodeView
}

type nodeView struct {
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
	if st == nil {
		if p.Activity == parley.ActivityLeft {
			return nil
		}
		if byAgent == nil {
			byAgent = make(map[int64]*viewerState)
			t.viewers[p.ConversationID] = byAgent
		}
		st = &viewerState{nodes: make(map[string]*nodeView)}
		byAgent[p.AgentID] = st
	}
	st.name = p.AgentName
	switch p.Activity {
	case parley.ActivityLeft:
		delete(st.nodes, p.Node)
	default:
		v := st.nodes[p.Node]
		if v == nil {
			v = &nodeView{}
			st.nodes[p.Node] = v
		}
		v.viewingUntil = now.Add(t.viewingTTL) // typing implies viewing
		if p.Activity == parley.ActivityTyping {
			v.typingUntil = now.Add(t.typingTTL)
		}
	}
	return t.settle(p.ConversationID, p.AgentID, st, now)
}

// settle compares a viewer's activity with what clients were last told,
// forgets viewers gone from every node, and returns the notice to send, if
// any.
func (t *tracker) settle(conversationID, agentID int64, st *viewerState, now time.Time) *parley.PresenceInfo {
	current := st.activity(now)
	if current == st.shown {
		return nil
	}
	st.shown = current
	if current == parley.ActivityLeft {
		t.removeViewer(conversationID, agentID)
	}
	return activityNotice(agentID, st.name, conversationID, current)
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
			for node, v := range st.nodes {
				if !now.Before(v.viewingUntil) {
					delete(st.nodes, node)
				}
			}
			if n := t.settle(convID, agentID, st, now); n != nil {
				notices = append(notices, n)
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
		if a := st.activity(now); a != parley.ActivityLeft {
			out = append(out, *activityNotice(agentID, st.name, conversationID, a))
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

// activity is what the agent does in the conversation now, over all nodes:
// typing anywhere beats viewing, and left means nowhere.
func (st *viewerState) activity(now time.Time) parley.Activity {
	a := parley.ActivityLeft
	for _, v := range st.nodes {
		switch {
		case !now.Before(v.viewingUntil):
		case !v.typingUntil.IsZero() && now.Before(v.typingUntil):
			return parley.ActivityTyping
		default:
			a = parley.ActivityViewing
		}
	}
	return a
}

func activityNotice(agentID int64, name string, conversationID int64, a parley.Activity) *parley.PresenceInfo {
	return &parley.PresenceInfo{AgentID: agentID, AgentName: name, ConversationID: conversationID, Activity: a}
}

func presenceNotice(agentID int64, name string, p parley.Presence) *parley.PresenceInfo {
	return &parley.PresenceInfo{AgentID: agentID, AgentName: name, Presence: p}
}
