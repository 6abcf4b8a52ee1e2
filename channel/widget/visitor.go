package widget

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// Limits of one visitor message.
const (
	maxFilesPerMessage = 5
	maxPageURL         = 500
	typingEvery        = 2 * time.Second
)

// handle acts on one client frame.
func (s *socket) handle(ctx context.Context, f *clientFrame) {
	switch f.Type {
	case "message":
		s.sendMessage(ctx, f)
	case "typing":
		s.typing(ctx, f.Active)
	case "delivered":
		s.receipt(ctx, parley.MessageDelivered, f.UpTo, &s.lastDelivered)
	case "read":
		s.receipt(ctx, parley.MessageRead, f.UpTo, &s.lastRead)
	case "ping":
		s.enqueue(encodeFrame(serverFrame{Type: "pong"}))
	default:
		s.enqueue(errorFrame("error", "", parley.Errorf(parley.EINVALID, "unknown frame type %q", f.Type)))
	}
}

// sendMessage publishes a visitor message to the inbound stream and acks
// it once the stream has stored it: the same promise webhooks make.
func (s *socket) sendMessage(ctx context.Context, f *clientFrame) {
	ev, err := s.inboundMessage(f)
	if err == nil {
		err = s.h.limits.message.allow(s.visitorKey(), "messages")
	}
	if err == nil {
		err = s.h.limits.messageIP.allow(s.ip(), "messages from this address")
	}
	if err == nil {
		raw, _ := json.Marshal(ev)
		err = s.h.cfg.Inbound.PublishInbound(ctx, []*parley.InboundEvent{ev}, raw, s.h.clock.Now())
	}
	if err != nil {
		s.enqueue(errorFrame("nack", f.ClientID, err))
		return
	}
	s.typing(ctx, false)
	s.enqueue(encodeFrame(serverFrame{Type: "ack", ClientID: f.ClientID}))
}

func (s *socket) inboundMessage(f *clientFrame) (*parley.InboundEvent, error) {
	if !validClientID(f.ClientID) {
		return nil, parley.Errorf(parley.EINVALID, "client_id must be 8 to 64 letters, digits, - or _")
	}
	text := strings.TrimSpace(f.Text)
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > TextLimit {
		return nil, parley.Errorf(parley.EINVALID, "text must be valid UTF-8 of at most %d characters", TextLimit)
	}
	if len(f.Files) > maxFilesPerMessage {
		return nil, parley.Errorf(parley.EINVALID, "at most %d files per message", maxFilesPerMessage)
	}
	files, err := s.h.attachments(s, f.Files)
	if err != nil {
		return nil, err
	}
	if text == "" && len(files) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "a message needs text or a file")
	}
	ev := &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: s.channel.ID, Platform: parley.PlatformWidget,
		ExternalID: inboundExternalID(s.visitor.ContactID, f.ClientID),
		Sender:     parley.Sender{Kind: parley.IdentityWidget, ID: s.visitor.Key, Name: s.name, Verified: true},
		Direction:  parley.DirectionIn, Timestamp: s.h.clock.Now(), Text: text, Attachments: files,
	}
	if page := f.Page; page != "" && len(page) <= maxPageURL && (strings.HasPrefix(page, "https://") || strings.HasPrefix(page, "http://")) {
		ev.Metadata = map[string]string{"page_url": page}
	}
	return ev, nil
}

// typing shares the visitor's typing with the agents viewing the ticket,
// at most every typingEvery while it lasts, and once when it stops.
func (s *socket) typing(ctx context.Context, active bool) {
	conv := s.h.sockets.latest(s)
	if s.h.cfg.Presence == nil || conv == 0 {
		return
	}
	now := time.Now()
	if active && now.Sub(s.lastTyping) < typingEvery {
		return
	}
	if !active && s.lastTyping.IsZero() {
		return
	}
	activity := parley.ActivityViewing // typing stopped; still on the page
	s.lastTyping = time.Time{}
	if active {
		activity, s.lastTyping = parley.ActivityTyping, now
	}
	err := s.h.cfg.Presence.PublishPresence(ctx, &parley.PresenceInfo{
		AgentID: visitorAgentID(s.visitor.ContactID), AgentName: s.name, ConversationID: conv,
		Activity: activity, Node: s.h.node,
	})
	if err != nil {
		s.h.log.Debug("cannot share visitor typing", "err", err)
	}
}

// receipt marks the agents' messages up to message upTo delivered or
// read. upTo must be an agent's message in one of the visitor's tickets;
// the receipt itself is a watermark scoped by the store to this visitor's
// own tickets, so it can never touch anyone else's messages.
func (s *socket) receipt(ctx context.Context, status parley.MessageStatus, upTo int64, last *int64) {
	if upTo <= *last {
		return
	}
	m, err := s.h.cfg.Store.FindMessageByID(ctx, upTo)
	if err != nil || m.Direction != parley.DirectionOut || m.SentAt == nil || !s.h.sockets.isWatching(s, m.ConversationID) {
		s.enqueue(errorFrame("error", "", parley.Errorf(parley.ENOTFOUND, "message %d not found", upTo)))
		return
	}
	*last = upTo
	at := *m.SentAt
	ev := &parley.InboundEvent{
		Kind: parley.InboundReceipt, ChannelID: s.channel.ID, Platform: parley.PlatformWidget,
		ExternalID: receiptExternalID(s.visitor.ContactID, status, upTo),
		Sender:     parley.Sender{Kind: parley.IdentityWidget, ID: s.visitor.Key, Verified: true},
		Direction:  parley.DirectionIn, Timestamp: s.h.clock.Now(), Watermark: &at, Status: status,
	}
	raw, _ := json.Marshal(ev)
	if err := s.h.cfg.Inbound.PublishInbound(ctx, []*parley.InboundEvent{ev}, raw, s.h.clock.Now()); err != nil {
		*last = 0 // let the widget's next receipt try again
		s.h.log.Debug("cannot publish widget receipt", "err", err)
	}
}

func receiptExternalID(contactID int64, status parley.MessageStatus, upTo int64) string {
	return "widget-rcpt-" + itoa(contactID) + "-" + string(status) + "-" + itoa(upTo)
}

func (s *socket) visitorKey() string { return itoa(s.channel.ID) + "/" + s.visitor.Key }

func (s *socket) ip() string { return s.remote }
