package parley

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// InboundKind says what a canonical inbound event does.
type InboundKind string

// Canonical inbound event kinds.
const (
	InboundMessage  InboundKind = "message"  // a new message in a thread (customer's, or an echo of ours)
	InboundReceipt  InboundKind = "receipt"  // delivery/read/failed status of our messages
	InboundReaction InboundKind = "reaction" // reacts to a message; never resets reply windows
	InboundEdit     InboundKind = "edit"     // the customer edited a message
	InboundDelete   InboundKind = "delete"   // unsend / comment removed or hidden
	InboundTyping   InboundKind = "typing"   // ephemeral, never stored
)

// Sender describes who wrote an inbound event, as the platform says.
type Sender struct {
	Kind     IdentityKind `json:"kind"`
	ID       string       `json:"id"` // PSID, wa_id, e-mail address, visitor id…
	Name     string       `json:"name,omitempty"`
	Username string       `json:"username,omitempty"`
	// Verified says the platform vouches for ID (a WhatsApp number, an
	// e-mail that came by mail, an HMAC-signed widget user).
	Verified bool `json:"verified,omitempty"`
	// Extra identities the platform vouches for or the customer typed
	// (e.g. wa_id as a phone). Unverified ones never link contacts.
	Extra []Identity `json:"extra,omitempty"`
}

// InboundEvent is what an adapter makes of one platform event. It is
// serialised onto the inbound stream, so it must stay JSON-stable.
type InboundEvent struct {
	Kind      InboundKind `json:"kind"`
	ChannelID int64       `json:"channel_id"`
	Platform  Platform    `json:"platform"`
	// ExternalID is the platform's id of the message (mid, wamid,
	// Message-ID). Unique per channel; redelivery of the same id is a no-op.
	ExternalID string `json:"external_id,omitempty"`
	// ThreadKey groups messages into one ticket within the channel and
	// contact: empty means "the contact's thread" (DMs); comment threads
	// use the top-level comment id; mail uses the thread root.
	ThreadKey string    `json:"thread_key,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	Sender    Sender    `json:"sender"`
	Direction Direction `json:"direction"` // in, or out for echoes
	// FromAccount marks what the channel's own account wrote where the
	// platform does not name the customer (a Page's own comment): the
	// message joins the active ticket of ThreadKey, whoever's it is, as
	// outbound; Sender is the account. Without such a ticket it is skipped.
	FromAccount bool              `json:"from_account,omitempty"`
	Timestamp   time.Time         `json:"timestamp"`
	Text        string            `json:"text,omitempty"`
	Attachments []Attachment      `json:"attachments,omitempty"`
	ReplyTo     string            `json:"reply_to,omitempty"` // external id of the message replied to
	Metadata    map[string]string `json:"metadata,omitempty"` // postback/quick-reply payloads, post link…

	// Receipts: either explicit ids, or everything up to a watermark.
	Targets       []string      `json:"targets,omitempty"`
	Watermark     *time.Time    `json:"watermark,omitempty"`
	Status        MessageStatus `json:"status,omitempty"`
	FailureCode   string        `json:"failure_code,omitempty"`
	FailureReason string        `json:"failure_reason,omitempty"`
}

// DedupKey identifies the event for the stream's de-duplication: the
// platform id when there is one, otherwise a hash of the event itself.
func (e *InboundEvent) DedupKey(raw []byte) string {
	if e.ExternalID != "" {
		return string(e.Kind) + ":" + e.ExternalID
	}
	sum := sha256.Sum256(raw)
	return string(e.Kind) + ":h:" + hex.EncodeToString(sum[:16])
}

// OrderKey is the unit of ordering: all events of one sender on one
// channel are processed in order.
func (e *InboundEvent) OrderKey() string {
	return string(e.Platform) + "/" + e.Sender.ID
}

// IngestResult is what storing one inbound event did.
type IngestResult struct {
	Duplicate           bool     // already stored: nothing changed
	Contact             *Contact // set for messages
	ContactCreated      bool
	Conversation        *Conversation // the ticket the event landed in
	ConversationCreated bool
	Message             *Message   // the stored message (messages, edits, deletes)
	Updated             []*Message // messages whose status a receipt moved
}

// IngestService stores a batch of canonical inbound events in one
// transaction (group commit): it resolves contacts by identity, finds or
// opens the ticket, inserts messages (a unique (channel, external id) makes
// redelivery harmless) and applies receipts. Results align with events.
type IngestService interface {
	Ingest(ctx context.Context, events []*InboundEvent) ([]IngestResult, error)
}
