package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/parleyhq/parley"
)

// maxMessageBytes bounds a reply's text; channels split or refuse long text
// themselves, this only stops absurd input.
const maxMessageBytes = 64 << 10

type messageCreate struct {
	Body        string              `json:"body"`
	Kind        parley.MessageKind  `json:"kind"`
	Attachments []parley.Attachment `json:"attachments,omitempty"`
	// Metadata carries what the channel needs besides text: a template's
	// name, language and parameters, quick replies, a comment reply's mode.
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Bounds of a reply's metadata.
const (
	maxMetadataKeys  = 16
	maxMetadataBytes = 8 << 10
)

func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) {
	c, err := s.conversationFromPath(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := parseQuery(r, "cursor", "limit")
	page := q.page()
	if q.err != nil {
		s.writeError(w, r, q.err)
		return
	}
	msgs, next, err := s.store.FindMessages(r.Context(), parley.MessageFilter{ConversationID: c.ID, Page: page})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(s.visibleMessages(r.Context(), msgs), next))
}

// handleCreateMessage stores a reply as queued (the row is the outbox) and
// then asks the sender to send it, or stores an internal note. If queueing
// fails the reply is still stored and queued: the sweeper republishes it.
func (s *Server) handleCreateMessage(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	c, err := s.conversationFromPath(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req messageCreate
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := newAgentMessage(c, me, req)
	if err == nil {
		err = s.storedAttachments(r.Context(), me, c, m.Attachments)
	}
	if err == nil {
		err = s.checkOutbound(r.Context(), c, m)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.threadReply(r.Context(), c, m)
	if err := s.store.CreateMessage(r.Context(), m); err != nil {
		s.writeError(w, r, err)
		return
	}
	if m.Kind != parley.KindNote {
		s.queueOutbound(r, m.ID, 0)
	}
	s.publish(r, &parley.Event{Type: parley.EventMessageCreated, Message: m, ContactID: c.ContactID, At: s.clock.Now()})
	writeJSON(w, http.StatusCreated, s.visibleMessage(r.Context(), m))
}

// newAgentMessage validates a reply or note and builds the message to store.
func newAgentMessage(c *parley.Conversation, me *parley.Agent, req messageCreate) (*parley.Message, error) {
	if req.Kind == "" {
		req.Kind = parley.KindText
	}
	if strings.TrimSpace(req.Body) == "" && len(req.Attachments) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "body is empty: write something or attach a file")
	}
	if len(req.Body) > maxMessageBytes {
		return nil, parley.Errorf(parley.ETOOLARGE, "body exceeds %d bytes", maxMessageBytes)
	}
	for i, a := range req.Attachments {
		if a.Type == "" || a.URL == "" && a.StorageKey == "" {
			return nil, parley.Errorf(parley.EINVALID, "attachment %d needs a type and a url or storage_key", i)
		}
	}
	if err := checkMetadata(req.Metadata); err != nil {
		return nil, err
	}
	dropMaskedAddresses(req.Metadata)
	m := &parley.Message{
		ConversationID: c.ID, ChannelID: c.ChannelID, Platform: c.Platform,
		Kind: req.Kind, Body: req.Body, Attachments: req.Attachments, AuthorAgentID: &me.ID, Metadata: req.Metadata,
	}
	switch req.Kind {
	case parley.KindText, parley.KindTemplate:
		m.Direction, m.Status, m.ContactID = parley.DirectionOut, parley.MessageQueued, &c.ContactID
	case parley.KindNote:
		m.Direction, m.Status = parley.DirectionInternal, parley.MessageSent
	default:
		return nil, parley.Errorf(parley.EINVALID, "kind %q is not one of text, template, note", req.Kind)
	}
	return m, nil
}

// checkMetadata bounds a reply's metadata; what the keys mean is the
// channel's business (its adapter refuses what it cannot use).
func checkMetadata(md map[string]string) error {
	if len(md) > maxMetadataKeys {
		return parley.Errorf(parley.EINVALID, "metadata has %d keys; at most %d", len(md), maxMetadataKeys)
	}
	size := 0
	for k, v := range md {
		size += len(k) + len(v)
	}
	if size > maxMetadataBytes {
		return parley.Errorf(parley.ETOOLARGE, "metadata exceeds %d bytes", maxMetadataBytes)
	}
	return nil
}

// queueOutbound hands a stored, queued message to the sender. Failure is
// logged, not returned: the message is safely queued in the database and
// the sweeper republishes it.
func (s *Server) queueOutbound(r *http.Request, id int64, attempt int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), publishTimeout)
	defer cancel()
	if err := s.cfg.Outbound.PublishOutbound(ctx, id, attempt); err != nil {
		s.log.WarnContext(r.Context(), "queueing outbound message failed; the sweeper will retry",
			requestAttrs(r, "message_id", id, "err", err)...)
	}
}

// handleRetryMessage requeues a failed reply.
func (s *Server) handleRetryMessage(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.store.FindMessageByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	conv, err := s.visibleConversation(r.Context(), me, m.ConversationID)
	if err != nil {
		s.writeError(w, r, parley.Errorf(parley.ENOTFOUND, "message %d not found", id))
		return
	}
	if m.Status != parley.MessageFailed || m.Direction != parley.DirectionOut {
		s.writeError(w, r, parley.Errorf(parley.ECONFLICT, "message %d is %s; only failed replies can be retried", id, m.Status))
		return
	}
	// A retry is a new send: the templates or the contact's consent may
	// have changed since, and the window may have closed.
	if err := s.checkOutbound(r.Context(), conv, m); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.RequeueMessage(r.Context(), id, s.clock.Now(), "retried by "+me.Name); err != nil {
		s.writeError(w, r, err)
		return
	}
	if m, err = s.store.FindMessageByID(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.queueOutbound(r, id, m.Attempts)
	s.publish(r, &parley.Event{Type: parley.EventMessageUpdated, Message: m, ContactID: conv.ContactID, At: s.clock.Now()})
	writeJSON(w, http.StatusOK, s.visibleMessage(r.Context(), m))
}
