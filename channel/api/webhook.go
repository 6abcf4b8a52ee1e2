package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// MaxItems bounds the messages plus receipts of one inbound request.
const MaxItems = 100

// maxIDLength bounds ids and thread keys, so one request cannot make keys
// that no index will hold.
const maxIDLength = 255

// inboundBody is the JSON an API channel POSTs to Parley. Fields Parley does
// not know are ignored, so clients can send more than it reads.
type inboundBody struct {
	Messages []*inboundMessage `json:"messages"`
	Receipts []*inboundReceipt `json:"receipts"`
}

type inboundMessage struct {
	ID          string          `json:"id"`
	Contact     *inboundContact `json:"contact"`
	Text        string          `json:"text"`
	Timestamp   string          `json:"timestamp"`
	Thread      string          `json:"thread"`
	Attachments []*Attachment   `json:"attachments"`
}

type inboundContact struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// Attachment is a file by URL, in both directions.
type Attachment struct {
	Type        string `json:"type"`
	URL         string `json:"url"`
	Filename    string `json:"filename,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

type inboundReceipt struct {
	MessageID string `json:"message_id"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
}

// receiptStatuses maps the wire status of a receipt to Parley's.
var receiptStatuses = map[string]parley.MessageStatus{
	"delivered": parley.MessageDelivered,
	"read":      parley.MessageRead,
	"failed":    parley.MessageFailed,
}

// ParseWebhook turns a verified body into canonical events: one message
// event per message, then one receipt event per receipt. Any problem is an
// EINVALID error naming the item and field; nothing is half-parsed.
func (a *Adapter) ParseWebhook(body []byte) ([]*parley.InboundEvent, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "empty body")
	}
	if !utf8.Valid(body) {
		return nil, parley.Errorf(parley.EINVALID, "body is not valid UTF-8")
	}
	var in inboundBody
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, parley.WrapError(parley.EINVALID, err, "body is not the API channel's JSON: %s", jsonProblem(err))
	}
	n := len(in.Messages) + len(in.Receipts)
	if n == 0 {
		return nil, parley.Errorf(parley.EINVALID, "body has no messages and no receipts")
	}
	if n > MaxItems {
		return nil, parley.Errorf(parley.EINVALID, "body has %d messages and receipts; at most %d are allowed per request", n, MaxItems)
	}
	now := a.clock.Now()
	events := make([]*parley.InboundEvent, 0, n)
	for i, m := range in.Messages {
		e, err := a.messageEvent(i, m, now)
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	for i, r := range in.Receipts {
		e, err := a.receiptEvent(i, r, now)
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, nil
}

// jsonProblem describes a decoding error without echoing the body.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return "field " + typeErr.Field + " must be " + typeErr.Type.String() + ", not " + typeErr.Value
	}
	return err.Error()
}

func (a *Adapter) messageEvent(i int, m *inboundMessage, now time.Time) (*parley.InboundEvent, error) {
	if m == nil {
		return nil, parley.Errorf(parley.EINVALID, "messages[%d] is null", i)
	}
	if err := checkID(m.ID, "messages[%d].id", i); err != nil {
		return nil, err
	}
	if m.Contact == nil {
		return nil, parley.Errorf(parley.EINVALID, "messages[%d].contact is missing", i)
	}
	if err := checkID(m.Contact.ID, "messages[%d].contact.id", i); err != nil {
		return nil, err
	}
	if len(m.Thread) > maxIDLength {
		return nil, parley.Errorf(parley.EINVALID, "messages[%d].thread is longer than %d bytes", i, maxIDLength)
	}
	if m.Text == "" && len(m.Attachments) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "messages[%d] has neither text nor attachments", i)
	}
	at, err := parseTimestamp(m.Timestamp, now)
	if err != nil {
		return nil, parley.Errorf(parley.EINVALID, "messages[%d].timestamp %q is not an RFC 3339 time from 1970 on", i, truncate(m.Timestamp, 40))
	}
	attachments, err := parseAttachments(i, m.Attachments)
	if err != nil {
		return nil, err
	}
	sender, err := a.sender(i, m.Contact)
	if err != nil {
		return nil, err
	}
	return &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: a.channel.ID, Platform: parley.PlatformAPI,
		ExternalID: m.ID, ThreadKey: m.Thread, Sender: sender, Direction: parley.DirectionIn,
		Timestamp: at, Text: m.Text, Attachments: attachments,
	}, nil
}

func checkID(id, field string, i int) error {
	if strings.TrimSpace(id) == "" {
		return parley.Errorf(parley.EINVALID, field+" is missing", i)
	}
	if len(id) > maxIDLength {
		return parley.Errorf(parley.EINVALID, field+" is longer than %d bytes", i, maxIDLength)
	}
	return nil
}

func parseTimestamp(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	// Outside these years a time cannot travel as JSON on the inbound
	// stream, and no real message was written then.
	if t = t.UTC(); t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, parley.Errorf(parley.EINVALID, "timestamp out of range")
	}
	return t, nil
}

func parseAttachments(i int, in []*Attachment) ([]parley.Attachment, error) {
	var out []parley.Attachment
	for j, w := range in {
		if w == nil {
			return nil, parley.Errorf(parley.EINVALID, "messages[%d].attachments[%d] is null", i, j)
		}
		if w.Type == "" || w.URL == "" {
			return nil, parley.Errorf(parley.EINVALID, "messages[%d].attachments[%d] needs a type and a url", i, j)
		}
		out = append(out, parley.Attachment{Type: w.Type, URL: w.URL, Filename: w.Filename, ContentType: w.ContentType})
	}
	return out, nil
}

// sender vouches for the contact id (the signed request proves the caller
// owns it); e-mail and phone are only as trustworthy as the caller says.
func (a *Adapter) sender(i int, c *inboundContact) (parley.Sender, error) {
	s := parley.Sender{Kind: parley.IdentityExternal, ID: c.ID, Name: c.Name, Verified: true}
	if email := strings.TrimSpace(c.Email); email != "" {
		if !looksLikeEmail(email) {
			return s, parley.Errorf(parley.EINVALID, "messages[%d].contact.email %q is not an e-mail address", i, truncate(email, 80))
		}
		s.Extra = append(s.Extra, parley.Identity{Kind: parley.IdentityEmail, Value: strings.ToLower(email), Verified: a.trust})
	}
	if phone := strings.TrimSpace(c.Phone); phone != "" {
		if !looksLikePhone(phone) {
			return s, parley.Errorf(parley.EINVALID, "messages[%d].contact.phone %q is not a phone number", i, truncate(phone, 40))
		}
		s.Extra = append(s.Extra, parley.Identity{Kind: parley.IdentityPhone, Value: phone, Verified: a.trust})
	}
	return s, nil
}

func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t\r\n<>") && !strings.Contains(domain, "@")
}

// looksLikePhone accepts digits with the usual separators; identity
// resolution normalises the number to E.164.
func looksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ -().", r):
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}

func (a *Adapter) receiptEvent(i int, r *inboundReceipt, now time.Time) (*parley.InboundEvent, error) {
	if r == nil {
		return nil, parley.Errorf(parley.EINVALID, "receipts[%d] is null", i)
	}
	if err := checkID(r.MessageID, "receipts[%d].message_id", i); err != nil {
		return nil, err
	}
	status, ok := receiptStatuses[r.Status]
	if !ok {
		return nil, parley.Errorf(parley.EINVALID, "receipts[%d].status %q is not delivered, read or failed", i, truncate(r.Status, 40))
	}
	return &parley.InboundEvent{
		Kind: parley.InboundReceipt, ChannelID: a.channel.ID, Platform: parley.PlatformAPI,
		// Each receipt needs its own de-duplication key even when several
		// share one body, and a redelivered receipt must keep it.
		ExternalID: r.MessageID + "#" + r.Status,
		Direction:  parley.DirectionIn, Timestamp: now,
		Targets: []string{r.MessageID}, Status: status, FailureReason: r.Reason,
	}, nil
}

// truncate shortens s to at most n runes for error messages.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
