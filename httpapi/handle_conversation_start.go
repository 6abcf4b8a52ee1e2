package httpapi

import (
	"context"
	"net/http"
	"net/mail"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/pipeline"
)

// conversationStart is a conversation an agent starts on a channel that
// allows it (e-mail): to a contact, or to an address.
type conversationStart struct {
	ChannelID int64  `json:"channel_id"`
	ContactID int64  `json:"contact_id,omitempty"` // or address
	Address   string `json:"address,omitempty"`    // the customer's e-mail address; with contact_id, added to that contact
	Name      string `json:"name,omitempty"`       // a new contact's name
	Subject   string `json:"subject"`
	Body      string `json:"body"`
}

// threadStarter is an adapter on which agents may start conversations: it
// makes the new ticket's thread key and says what kind of address it
// reaches contacts by.
type threadStarter interface {
	NewThread() (threadKey string, kind parley.IdentityKind)
}

// conversationStarter is the store side of starting a conversation.
type conversationStarter interface {
	StartConversation(ctx context.Context, conv *parley.Conversation, address *parley.Identity, first *parley.Message) error
}

// handleStartConversation opens a ticket with the agent's first message,
// queued for sending like a reply, and assigns it to the agent.
func (s *Server) handleStartConversation(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	var req conversationStart
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	conv, first, address, err := s.prepareStart(r.Context(), me, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.refuseOptedOut(r.Context(), conv, address); err != nil {
		s.writeError(w, r, err)
		return
	}
	starter, ok := s.store.(conversationStarter)
	if !ok {
		s.writeError(w, r, parley.Errorf(parley.EUNSUPPORTED, "this store cannot start conversations"))
		return
	}
	if err := starter.StartConversation(r.Context(), conv, address, first); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.queueOutbound(r, first.ID, 0)
	s.publish(r, &parley.Event{Type: parley.EventConversationCreated, Conversation: conv, At: s.clock.Now()})
	s.publish(r, &parley.Event{Type: parley.EventMessageCreated, Message: first, ContactID: conv.ContactID, At: s.clock.Now()})
	writeJSON(w, http.StatusCreated, conv)
}

// prepareStart checks the request against the channel and builds the
// ticket, its first message and the address to reach the contact at.
func (s *Server) prepareStart(ctx context.Context, me *parley.Agent, req conversationStart) (*parley.Conversation, *parley.Message, *parley.Identity, error) {
	if strings.TrimSpace(req.Body) == "" {
		return nil, nil, nil, parley.Errorf(parley.EINVALID, "body is empty")
	}
	if len(req.Body) > maxMessageBytes {
		return nil, nil, nil, parley.Errorf(parley.ETOOLARGE, "body exceeds %d bytes", maxMessageBytes)
	}
	if len(req.Subject) > 998 || strings.ContainsAny(req.Subject, "\r\n") {
		return nil, nil, nil, parley.Errorf(parley.EINVALID, "subject must be one line of at most 998 bytes")
	}
	if req.ContactID == 0 && req.Address == "" {
		return nil, nil, nil, parley.Errorf(parley.EINVALID, "give contact_id or address")
	}
	ch, err := s.store.FindChannelByID(ctx, req.ChannelID)
	if err != nil {
		return nil, nil, nil, err
	}
	if ch.Status != parley.ChannelActive {
		return nil, nil, nil, parley.Errorf(parley.ECONFLICT, "channel %d is %s", ch.ID, ch.Status)
	}
	adapter, err := s.cfg.Adapters.Adapter(ch)
	if err != nil {
		return nil, nil, nil, err
	}
	starter, ok := adapter.(threadStarter)
	if !ok {
		return nil, nil, nil, parley.Errorf(parley.EUNSUPPORTED, "conversations cannot be started on %s channels; the customer writes first", ch.Platform)
	}
	threadKey, kind := starter.NewThread()
	address, err := s.startAddress(ctx, req, kind)
	if err != nil {
		return nil, nil, nil, err
	}
	conv := &parley.Conversation{ChannelID: ch.ID, Platform: ch.Platform, ContactID: req.ContactID, ThreadKey: threadKey,
		Subject: strings.TrimSpace(req.Subject), AssigneeID: &me.ID, Contact: &parley.Contact{Name: strings.TrimSpace(req.Name)}}
	first := &parley.Message{Kind: parley.KindText, Body: req.Body, AuthorAgentID: &me.ID, Direction: parley.DirectionOut, Status: parley.MessageQueued}
	return conv, first, address, nil
}

// startAddress is the identity the channel reaches the contact at: the
// given address, else the contact's own e-mail.
func (s *Server) startAddress(ctx context.Context, req conversationStart, kind parley.IdentityKind) (*parley.Identity, error) {
	value := strings.TrimSpace(req.Address)
	if value == "" {
		c, err := s.store.FindContactByID(ctx, req.ContactID)
		if err != nil {
			return nil, err
		}
		for _, id := range c.Identities {
			if id.Kind == kind {
				return nil, nil // the contact is reachable already
			}
		}
		if kind != parley.IdentityEmail || c.Email == "" {
			return nil, parley.Errorf(parley.EINVALID, "contact %d has no %s address: give address", c.ID, kind)
		}
		value = c.Email
	}
	if kind == parley.IdentityEmail {
		a, err := mail.ParseAddress(value)
		if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") {
			return nil, parley.Errorf(parley.EINVALID, "address %q is not an e-mail address", value)
		}
		value = a.Address
	}
	return &parley.Identity{Kind: kind, Value: value}, nil
}

// contactIdentityFinder finds who holds an address; the SQL store has it.
type contactIdentityFinder interface {
	FindContactIDByIdentity(ctx context.Context, ident parley.Identity) (int64, error)
}

// refuseOptedOut keeps an agent from writing first to a contact who said
// stop on the channel's platform: a started conversation is outside any
// reply window the customer opened (pipeline.OutboundPolicy's rule).
func (s *Server) refuseOptedOut(ctx context.Context, conv *parley.Conversation, address *parley.Identity) error {
	checker, ok := s.store.(pipeline.ConsentChecker)
	if !ok {
		return nil
	}
	contactID := conv.ContactID
	if contactID == 0 && address != nil {
		finder, ok := s.store.(contactIdentityFinder)
		if !ok {
			return nil
		}
		id, err := finder.FindContactIDByIdentity(ctx, *address)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return nil // a new contact has said nothing yet
		}
		if err != nil {
			return err
		}
		contactID = id
	}
	out, err := checker.ConsentOptedOut(ctx, contactID, conv.Platform)
	if err != nil {
		return err
	}
	if out {
		return pipeline.Refusal(pipeline.RefusedOptedOut, "this contact opted out of messages on %s", conv.Platform)
	}
	return nil
}
