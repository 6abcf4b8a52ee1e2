package widget

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
)

// receiveEvent pushes a domain event to this node's sockets of the
// visitor it concerns: a new ticket of theirs is watched from then on; a
// message of a watched ticket (or from the visitor) is sent if visible.
func (h *Handler) receiveEvent(e *parley.Event) {
	if e == nil {
		return
	}
	if c := e.Conversation; c != nil && c.Platform == parley.PlatformWidget {
		for _, s := range h.sockets.ofContact(c.ContactID, c.ChannelID) {
			h.sockets.watch(s, c.ID)
		}
	}
	m := e.Message
	if m == nil || m.Platform != parley.PlatformWidget || !visibleToVisitor(m) {
		return
	}
	targets := h.sockets.ofConversation(m.ConversationID)
	if len(targets) == 0 && m.ContactID != nil {
		for _, s := range h.sockets.ofContact(*m.ContactID, m.ChannelID) {
			h.sockets.watch(s, m.ConversationID)
			targets = append(targets, s)
		}
	}
	if len(targets) == 0 {
		return
	}
	frame := encodeFrame(serverFrame{Type: "message", Message: h.view(context.Background(), m)})
	for _, s := range targets {
		if s.channel.ID == m.ChannelID {
			s.enqueue(frame)
		}
	}
}

// receivePresence tells visitors what agents do in their ticket: typing,
// viewing (the visitor's messages are seen) or left. Visitors' own
// activity (negative ids) is for agents only.
func (h *Handler) receivePresence(p *parley.PresenceInfo) {
	if p == nil || p.ConversationID == 0 || p.Activity == "" {
		return
	}
	if p.AgentID < 0 {
		h.online.apply(p, time.Now())
		return
	}
	targets := h.sockets.ofConversation(p.ConversationID)
	if len(targets) == 0 {
		return
	}
	frame := encodeFrame(serverFrame{Type: "agent", Name: p.AgentName, Activity: string(p.Activity)})
	for _, s := range targets {
		s.enqueue(frame)
	}
}

// visitorAgentID is how a visitor appears in presence notices to agents:
// the negative of their contact id, so agent ids (positive) never collide
// and realtime nodes relay it like an agent's activity.
func visitorAgentID(contactID int64) int64 { return -contactID }
