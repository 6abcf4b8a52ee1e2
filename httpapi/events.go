package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/parleyhq/parley"
)

// publishTimeout bounds a best-effort publish after the change is stored.
const publishTimeout = 5 * time.Second

// publish sends a domain event. The change is already committed, so a
// failure only delays live screens (clients refetch on reconnect): it is
// logged, not returned. The publish outlives a client that hangs up.
func (s *Server) publish(r *http.Request, e *parley.Event) {
	if s.cfg.Events == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), publishTimeout)
	defer cancel()
	if err := s.cfg.Events.PublishEvent(ctx, e); err != nil {
		s.log.WarnContext(r.Context(), "publishing event failed", requestAttrs(r, "event", e.Type, "err", err)...)
	}
}

// publishConversationChange announces an updated ticket, and its new
// assignee when that changed.
func (s *Server) publishConversationChange(r *http.Request, before, after *parley.Conversation) {
	now := s.clock.Now()
	s.publish(r, &parley.Event{Type: parley.EventConversationUpdated, Conversation: after, At: now})
	if !sameID(before.AssigneeID, after.AssigneeID) {
		s.publish(r, &parley.Event{Type: parley.EventConversationAssigned, Conversation: after, At: now})
	}
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
