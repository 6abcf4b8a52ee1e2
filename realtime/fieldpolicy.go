package realtime

import (
	"context"
	"sync/atomic"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// FieldPolicySource gives the field policy that decides which roles see
// contact e-mail addresses and phone numbers unmasked; the store implements
// it. The hub applies it per socket, as the REST API does per request, so
// that a screen never receives more than the agent's role may see.
type FieldPolicySource interface {
	FieldPolicy(ctx context.Context) (identity.FieldPolicy, error)
}

// fieldPolicy is the hub's copy of the policy. Events arrive at thousands
// per second, so the policy is loaded on start, on RefreshFieldPolicy and
// every PolicyRefresh, never per event. Until a load succeeds only admins
// see details in full: a broken database must not unmask anything.
type fieldPolicy struct {
	current atomic.Pointer[identity.FieldPolicy]
}

func (p *fieldPolicy) unmasked(a *parley.Agent) bool {
	if a == nil {
		return false
	}
	if a.Role == parley.RoleAdmin {
		return true
	}
	cur := p.current.Load()
	return cur != nil && cur.Unmasked(a.Role)
}

// RefreshFieldPolicy reloads the field policy at once; the HTTP layer calls
// it after the policy changed. Other nodes catch up within PolicyRefresh.
func (h *Hub) RefreshFieldPolicy(ctx context.Context) error {
	if h.cfg.FieldPolicy == nil {
		return nil
	}
	p, err := h.cfg.FieldPolicy.FieldPolicy(ctx)
	if err != nil {
		return parley.WrapError(parley.EUNAVAILABLE, err, "realtime: load field policy")
	}
	h.policy.current.Store(&p)
	return nil
}

func (h *Hub) refreshFieldPolicy(ctx context.Context) {
	if err := h.RefreshFieldPolicy(ctx); err != nil {
		h.log.Warn("cannot reload field policy; keeping the previous one", "err", err)
	}
}

// carriesContact reports whether e holds contact details to mask: a
// contact, or a message with addresses in its metadata (a mail's Cc).
func carriesContact(e *parley.Event) bool {
	return e.Contact != nil || (e.Conversation != nil && e.Conversation.Contact != nil) ||
		identity.CarriesAddresses(e.Message)
}

// maskedEvent is a copy of e with its contacts and message addresses
// masked; e is shared with every other socket and is not changed.
func maskedEvent(e *parley.Event) *parley.Event {
	m := *e
	m.Contact = identity.MaskContact(e.Contact)
	m.Message = identity.MaskMessage(e.Message)
	if e.Conversation != nil && e.Conversation.Contact != nil {
		conv := *e.Conversation
		conv.Contact = identity.MaskContact(e.Conversation.Contact)
		m.Conversation = &conv
	}
	return &m
}

// eventFrames encodes an event once in full and, when it carries a contact,
// once masked, so that fan-out stays one encoding per audience, not per
// socket.
type eventFrames struct {
	full, masked []byte
}

func newEventFrames(e *parley.Event) (eventFrames, error) {
	full, err := eventFrame(e)
	if err != nil || !carriesContact(e) {
		return eventFrames{full: full, masked: full}, err
	}
	masked, err := eventFrame(maskedEvent(e))
	return eventFrames{full: full, masked: masked}, err
}
