package widget

import (
	"sync"

	"github.com/coder/websocket"
)

// Close statuses of visitor sockets.
const (
	closeGoingAway = websocket.StatusGoingAway       // node leaving or cut: reconnect and catch up
	closePolicy    = websocket.StatusPolicyViolation // bad token, flooding
	closeTooSlow   = websocket.StatusTryAgainLater   // send queue overflowed: reconnect and catch up
)

// registry indexes this node's visitor sockets by contact and by the
// conversations they show, so that an event or a presence notice finds its
// sockets without touching the database.
type registry struct {
	mu        sync.Mutex
	byContact map[int64]map[*socket]struct{}
	byConv    map[int64]map[*socket]struct{}
}

func newRegistry() *registry {
	return &registry{byContact: map[int64]map[*socket]struct{}{}, byConv: map[int64]map[*socket]struct{}{}}
}

func (g *registry) add(s *socket) {
	g.mu.Lock()
	defer g.mu.Unlock()
	addTo(g.byContact, s.visitor.ContactID, s)
}

func (g *registry) remove(s *socket) {
	g.mu.Lock()
	defer g.mu.Unlock()
	removeFrom(g.byContact, s.visitor.ContactID, s)
	for conv := range s.convs {
		removeFrom(g.byConv, conv, s)
	}
}

// watch makes s receive what happens in conversation conv.
func (g *registry) watch(s *socket, conv int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := s.convs[conv]; ok {
		return
	}
	s.convs[conv] = struct{}{}
	if conv > s.latestConv {
		s.latestConv = conv
		s.announceSoon()
	}
	addTo(g.byConv, conv, s)
}

// ofContact lists the sockets of a contact on a channel.
func (g *registry) ofContact(contactID, channelID int64) []*socket {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []*socket
	for s := range g.byContact[contactID] {
		if s.channel.ID == channelID {
			out = append(out, s)
		}
	}
	return out
}

// ofConversation lists the sockets showing conversation conv.
func (g *registry) ofConversation(conv int64) []*socket {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*socket, 0, len(g.byConv[conv]))
	for s := range g.byConv[conv] {
		out = append(out, s)
	}
	return out
}

// isWatching reports whether s shows conversation conv.
func (g *registry) isWatching(s *socket, conv int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := s.convs[conv]
	return ok
}

// latest is the newest conversation s shows, 0 if none yet.
func (g *registry) latest(s *socket) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return s.latestConv
}

func (g *registry) closeAll(code websocket.StatusCode, reason string) {
	g.mu.Lock()
	var all []*socket
	for _, set := range g.byContact {
		for s := range set {
			all = append(all, s)
		}
	}
	g.mu.Unlock()
	for _, s := range all {
		s.kick(code, reason)
	}
}

func addTo(m map[int64]map[*socket]struct{}, key int64, s *socket) {
	if m[key] == nil {
		m[key] = map[*socket]struct{}{}
	}
	m[key][s] = struct{}{}
}

func removeFrom(m map[int64]map[*socket]struct{}, key int64, s *socket) {
	delete(m[key], s)
	if len(m[key]) == 0 {
		delete(m, key)
	}
}
