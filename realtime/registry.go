package realtime

import (
	"sync"
	"sync/atomic"
	"time"

	parley "github.com/parleyhq/parley"
)

// registry indexes this node's open sockets: all of them (for fan-out), by
// agent (online/offline, role and team changes), and by the conversations
// they are viewing (activity notices).
type registry struct {
	mu       sync.RWMutex
	closed   bool
	clients  map[*client]struct{}
	agents   map[int64]*agentSockets
	watchers map[int64]map[*client]time.Time // conversation → socket → viewing expiry
	leaving  map[int64]leaving               // agents whose last socket closed, until OfflineGrace passes
	open     sync.WaitGroup                  // one per socket whose handler still runs, so Close can wait
}

// leaving is an agent gone from this node but not yet announced offline: a
// page reload reconnects within the grace period and shows no flicker.
type leaving struct {
	name    string
	offline time.Time // when to announce it
}

// agentSockets is one agent's sockets on this node. They share one agent
// value, swapped atomically when the agent's role or teams change, so that a
// fan-out reads the current rights without locking.
type agentSockets struct {
	agent   atomic.Pointer[parley.Agent]
	clients map[*client]struct{}
}

func newRegistry() *registry {
	return &registry{
		clients:  make(map[*client]struct{}),
		agents:   make(map[int64]*agentSockets),
		watchers: make(map[int64]map[*client]time.Time),
		leaving:  make(map[int64]leaving),
	}
}

// add registers c for agent a. first says whether it is the agent's first
// socket on this node; ok is false once the registry is closed.
func (r *registry) add(c *client, a *parley.Agent) (first, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false, false
	}
	owner := r.agents[a.ID]
	if owner == nil {
		owner = &agentSockets{clients: make(map[*client]struct{})}
		r.agents[a.ID] = owner
		first = true
		delete(r.leaving, a.ID) // back within the grace period
	}
	owner.agent.Store(a) // the freshest copy: it was just authenticated
	owner.clients[c] = struct{}{}
	c.owner = owner
	r.clients[c] = struct{}{}
	r.open.Add(1)
	return first, true
}

// remove unregisters c. It returns removed=false if c was already gone;
// otherwise left lists the conversations it was viewing that no other
// socket of the same agent is viewing. If it was the agent's last socket
// here, the agent is leaving: due offline at offlineAt unless they return.
func (r *registry) remove(c *client, offlineAt time.Time) (removed bool, left []int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.clients[c]; !ok {
		return false, nil
	}
	delete(r.clients, c)
	agentID := c.agentID
	for convID := range c.watching {
		r.unwatchLocked(c, convID)
		if !r.agentWatchingLocked(agentID, convID) {
			left = append(left, convID)
		}
	}
	owner := r.agents[agentID]
	delete(owner.clients, c)
	if len(owner.clients) == 0 {
		delete(r.agents, agentID)
		r.leaving[agentID] = leaving{name: owner.agent.Load().Name, offline: offlineAt}
	}
	return true, left
}

// dueOffline returns (and forgets) the agents whose grace period has
// passed at now; the zero time takes them all.
func (r *registry) dueOffline(now time.Time) []*parley.PresenceInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*parley.PresenceInfo
	for id, l := range r.leaving {
		if now.IsZero() || !now.Before(l.offline) {
			delete(r.leaving, id)
			out = append(out, presenceNotice(id, l.name, parley.PresenceOffline))
		}
	}
	return out
}

// watch records that c views a conversation until the given time, and
// reports whether it was not viewing it before.
func (r *registry) watch(c *client, conversationID int64, until time.Time) (isNew bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.clients[c]; !ok {
		return false
	}
	w := r.watchers[conversationID]
	if w == nil {
		w = make(map[*client]time.Time)
		r.watchers[conversationID] = w
	}
	_, had := w[c]
	w[c] = until
	if c.watching == nil {
		c.watching = make(map[int64]struct{})
	}
	c.watching[conversationID] = struct{}{}
	return !had
}

// isWatching reports whether c views a conversation.
func (r *registry) isWatching(c *client, conversationID int64) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.watchers[conversationID][c]
	return ok
}

// unwatch records that c left a conversation and reports whether another
// socket of the same agent still views it.
func (r *registry) unwatch(c *client, conversationID int64) (agentStillWatching bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unwatchLocked(c, conversationID)
	return r.agentWatchingLocked(c.agentID, conversationID)
}

func (r *registry) unwatchLocked(c *client, conversationID int64) {
	delete(c.watching, conversationID)
	delete(r.watchers[conversationID], c)
	if len(r.watchers[conversationID]) == 0 {
		delete(r.watchers, conversationID)
	}
}

func (r *registry) agentWatchingLocked(agentID, conversationID int64) bool {
	for other := range r.watchers[conversationID] {
		if other.agentID == agentID {
			return true
		}
	}
	return false
}

// expireWatchers forgets views not refreshed in time. The tracker tells
// clients about the expiry; this only keeps the index from growing.
func (r *registry) expireWatchers(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for convID, w := range r.watchers {
		for c, until := range w {
			if !now.Before(until) {
				r.unwatchLocked(c, convID)
			}
		}
	}
}

// each calls fn for every socket, under a read lock: fn must not block.
func (r *registry) each(fn func(*client)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for c := range r.clients {
		fn(c)
	}
}

// eachWatcher calls fn for every socket viewing a conversation, under a read
// lock: fn must not block.
func (r *registry) eachWatcher(conversationID int64, fn func(*client)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for c := range r.watchers[conversationID] {
		fn(c)
	}
}

// connectedAgents lists the agents with a socket on this node.
func (r *registry) connectedAgents() []*parley.Agent {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*parley.Agent, 0, len(r.agents))
	for _, owner := range r.agents {
		out = append(out, owner.agent.Load())
	}
	return out
}

// socketsOf lists an agent's sockets on this node.
func (r *registry) socketsOf(agentID int64) []*client {
	r.mu.RLock()
	defer r.mu.RUnlock()
	owner := r.agents[agentID]
	if owner == nil {
		return nil
	}
	out := make([]*client, 0, len(owner.clients))
	for c := range owner.clients {
		out = append(out, c)
	}
	return out
}

// updateAgent swaps in a reloaded agent; its sockets see the new rights at
// the next event.
func (r *registry) updateAgent(a *parley.Agent) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if owner := r.agents[a.ID]; owner != nil {
		owner.agent.Store(a)
	}
}

func (r *registry) count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.clients)
}

func (r *registry) isClosed() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.closed
}

// closeAll refuses new sockets and returns the open ones.
func (r *registry) closeAll() []*client {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	out := make([]*client, 0, len(r.clients))
	for c := range r.clients {
		out = append(out, c)
	}
	return out
}

// finished marks the end of a registered socket's handler.
func (r *registry) finished() { r.open.Done() }

// wait blocks until the handler of every registered socket has returned.
func (r *registry) wait() { r.open.Wait() }
