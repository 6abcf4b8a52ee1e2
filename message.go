package parley

import (
	"context"
	"time"
)

// Direction says who wrote a message.
type Direction string

// Directions.
const (
	DirectionIn       Direction = "in"       // from the customer
	DirectionOut      Direction = "out"      // to the customer (agent reply, echo of the page's own message)
	DirectionInternal Direction = "internal" // notes and activity lines, never sent
)

// MessageKind says what a message is.
type MessageKind string

// Message kinds.
const (
	KindText     MessageKind = "text"
	KindMedia    MessageKind = "media"
	KindNote     MessageKind = "note"     // private note between agents
	KindActivity MessageKind = "activity" // "Ana assigned this to Bo", "status → resolved", "merged #12"
	KindCall     MessageKind = "call"
	KindSurvey   MessageKind = "survey"
	KindTemplate MessageKind = "template"
)

// MessageStatus is the delivery state. Inbound messages are "received";
// outbound move queued → sending → sent → delivered → read, or failed.
type MessageStatus string

// Delivery statuses, in order of progress (failed is terminal).
const (
	MessageReceived  MessageStatus = "received"
	MessageQueued    MessageStatus = "queued"
	MessageSending   MessageStatus = "sending"
	MessageSent      MessageStatus = "sent"
	MessageDelivered MessageStatus = "delivered"
	MessageRead      MessageStatus = "read"
	MessageFailed    MessageStatus = "failed"
)

// Rank orders delivery statuses so receipts never move a message backwards
// (a late "delivered" after "read" is ignored).
func (s MessageStatus) Rank() int {
	switch s {
	case MessageQueued:
		return 1
	case MessageSending:
		return 2
	case MessageSent:
		return 3
	case MessageDelivered:
		return 4
	case MessageRead:
		return 5
	}
	return 0
}

// Attachment is a file carried by a message. StorageKey points into Parley's
// attachment store once fetched; URL is the platform's (possibly expiring)
// address or the public address of a stored file.
type Attachment struct {
	Type        string `json:"type"` // image, audio, video, file, sticker, location, share…
	ContentType string `json:"content_type,omitempty"`
	Filename    string `json:"filename,omitempty"`
	Size        int64  `json:"size,omitempty"`
	URL         string `json:"url,omitempty"`
	StorageKey  string `json:"storage_key,omitempty"`
	PlatformID  string `json:"platform_id,omitempty"` // e.g. a WhatsApp media id to fetch
	Caption     string `json:"caption,omitempty"`
	// FetchError says why the media could not be copied into the store
	// (too large, host not allowed, gone); it is not retried.
	FetchError string `json:"fetch_error,omitempty"`
}

// Message is one entry in a ticket's thread.
type Message struct {
	ID             int64             `json:"id"`
	ConversationID int64             `json:"conversation_id"`
	ChannelID      int64             `json:"channel_id"`
	Platform       Platform          `json:"platform"`
	Direction      Direction         `json:"direction"`
	Kind           MessageKind       `json:"kind"`
	Body           string            `json:"body"`
	Attachments    []Attachment      `json:"attachments,omitempty"`
	AuthorAgentID  *int64            `json:"author_agent_id,omitempty"`
	ContactID      *int64            `json:"contact_id,omitempty"`
	ExternalID     string            `json:"external_id,omitempty"` // the platform's id; unique per channel
	ReplyToID      string            `json:"reply_to_external_id,omitempty"`
	Status         MessageStatus     `json:"status"`
	FailureCode    string            `json:"failure_code,omitempty"`
	FailureReason  string            `json:"failure_reason,omitempty"`
	Attempts       int               `json:"attempts,omitempty"`
	NextAttemptAt  *time.Time        `json:"next_attempt_at,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"` // payloads, template names, comment ids…
	SentAt         *time.Time        `json:"sent_at,omitempty"`  // platform timestamp (inbound) or send time
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

// MessageFilter selects a thread's messages, oldest first.
type MessageFilter struct {
	ConversationID int64
	Page
}

// StatusUpdate moves an outbound message's delivery state. Stores apply it
// only if it moves the message forward (see MessageStatus.Rank) or marks it
// failed.
type StatusUpdate struct {
	MessageID     int64
	Status        MessageStatus
	ExternalID    string // set when the platform assigned an id on send
	FailureCode   string
	FailureReason string
	At            time.Time
}

// MessageService stores messages and their delivery state.
type MessageService interface {
	FindMessageByID(ctx context.Context, id int64) (*Message, error)
	FindMessages(ctx context.Context, f MessageFilter) ([]*Message, string, error)
	// CreateMessage stores an agent's reply (status queued: the row is the
	// outbox), a note or an activity line, and bumps the conversation.
	CreateMessage(ctx context.Context, m *Message) error
	// ClaimMessage moves a queued message to sending. It returns false if
	// another sender claimed it first, or it is no longer queued.
	ClaimMessage(ctx context.Context, id int64) (bool, error)
	// UpdateMessageStatus records the outcome of a send or a receipt.
	UpdateMessageStatus(ctx context.Context, upd StatusUpdate) (*Message, error)
	// RequeueMessage returns a sending message to queued with a retry time,
	// after a transient failure or a crash.
	RequeueMessage(ctx context.Context, id int64, next time.Time, reason string) error
	// FindStaleOutbound lists messages that need (re)publishing: queued with
	// NextAttemptAt ≤ now, or stuck in sending since before staleBefore.
	FindStaleOutbound(ctx context.Context, now, staleBefore time.Time, limit int) ([]*Message, error)
}
