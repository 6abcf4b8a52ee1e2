package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// readRequest is the body of POST /api/v1/conversations/{id}/read.
type readRequest struct {
	MessageID int64 `json:"message_id"`
}

// Read receipts to platforms are best effort: a bounded number in flight,
// each with its own deadline, never holding up the agent's request.
const (
	maxReceiptsInFlight = 32
	receiptTimeout      = 15 * time.Second
)

// readReceipts runs the platform calls after the response.
type readReceipts struct {
	slots chan struct{}
	wg    sync.WaitGroup
}

func newReadReceipts() *readReceipts {
	return &readReceipts{slots: make(chan struct{}, maxReceiptsInFlight)}
}

// start runs fn in the background unless too many are running already.
func (rr *readReceipts) start(fn func(ctx context.Context)) bool {
	select {
	case rr.slots <- struct{}{}:
	default:
		return false
	}
	rr.wg.Add(1)
	go func() {
		defer func() { <-rr.slots; rr.wg.Done() }()
		ctx, cancel := context.WithTimeout(context.Background(), receiptTimeout)
		defer cancel()
		fn(ctx)
	}()
	return true
}

// WaitBackground waits for the read receipts still being sent; call it on
// shutdown (and tests call it to see what was sent).
func (s *Server) WaitBackground() { s.receipts.wg.Wait() }

func (s *Server) readPositions() (parley.ReadPositionService, error) {
	st, ok := s.store.(parley.ReadPositionService)
	if !ok {
		return nil, parley.Errorf(parley.EUNSUPPORTED, "this store does not keep read positions")
	}
	return st, nil
}

func (s *Server) handleMarkRead(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	st, err := s.readPositions()
	var conv *parley.Conversation
	if err == nil {
		conv, err = s.conversationFromPath(r)
	}
	var req readRequest
	if err == nil {
		err = decodeJSON(w, r, &req)
	}
	if err == nil && req.MessageID <= 0 {
		err = parley.Errorf(parley.EINVALID, "message_id must be a positive message id")
	}
	if err == nil {
		err = st.MarkConversationRead(r.Context(), conv.ID, me.ID, req.MessageID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	if s.readMarkerFor(r.Context(), conv.ChannelID) != nil {
		s.receipts.start(func(ctx context.Context) { s.sendReadReceipt(ctx, st, conv, req.MessageID, me.ID) })
	}
}

// fillUnread sets Unread on the tickets for agent me, in one query for
// the whole page. A store without read positions leaves it out.
func (s *Server) fillUnread(ctx context.Context, me *parley.Agent, convs ...*parley.Conversation) error {
	st, err := s.readPositions()
	if err != nil || len(convs) == 0 {
		return nil
	}
	ids := make([]int64, len(convs))
	for i, c := range convs {
		ids[i] = c.ID
	}
	unread, err := st.UnreadConversations(ctx, me.ID, ids)
	if err != nil {
		return err
	}
	for _, c := range convs {
		u := unread[c.ID]
		c.Unread = &u
	}
	return nil
}

// readMarkerFor is the channel's adapter if it can mark messages read on
// its platform, else nil.
func (s *Server) readMarkerFor(ctx context.Context, channelID int64) parley.ReadMarker {
	ch, err := s.channels.find(ctx, s.store, channelID)
	if err != nil || ch.Status != parley.ChannelActive {
		return nil
	}
	a, err := s.cfg.Adapters.Adapter(ch)
	if err != nil {
		return nil
	}
	rm, _ := a.(parley.ReadMarker)
	return rm
}

// sendReadReceipt tells the platform that the newest customer message the
// agent has read was seen. The message is claimed first, so it is reported
// once even when several agents read it at the same time; a failed call is
// logged, not retried.
func (s *Server) sendReadReceipt(ctx context.Context, st parley.ReadPositionService, conv *parley.Conversation, upTo, agentID int64) {
	m, ok, err := st.ClaimReadReceipt(ctx, conv.ID, upTo, agentID)
	if err != nil || !ok {
		if err != nil {
			s.log.WarnContext(ctx, "cannot claim read receipt", "conversation_id", conv.ID, "err", err)
		}
		return
	}
	rm := s.readMarkerFor(ctx, m.ChannelID) // a joined ticket holds messages of other channels
	if rm == nil {
		return
	}
	contact, err := s.store.FindContactByID(ctx, conv.ContactID)
	if err != nil {
		s.log.WarnContext(ctx, "cannot load contact for read receipt", "conversation_id", conv.ID, "err", err)
		return
	}
	if err := rm.MarkRead(ctx, scopedIdentity(contact, m.ChannelID), m.ExternalID); err != nil {
		s.log.WarnContext(ctx, "platform read receipt failed", "message_id", m.ID, "channel_id", m.ChannelID, "err", err)
	}
}

// scopedIdentity is the customer's identity on one channel (a PSID, an
// IGSID), which is how Messenger and Instagram address the "seen" action;
// WhatsApp needs only the message id, so nil is fine there.
func scopedIdentity(c *parley.Contact, channelID int64) *parley.Identity {
	for _, id := range c.Identities {
		if id.ScopeChannelID == channelID {
			return id
		}
	}
	return nil
}
