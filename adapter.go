package parley

import (
	"context"
	"net/http"
	"time"
)

// Capabilities say what a channel can carry, so the composer and the
// sender can fit a reply to it.
type Capabilities struct {
	TextLimit      int           `json:"text_limit"`                 // characters (runes) per message; 0 = unlimited
	TextLimitBytes bool          `json:"text_limit_bytes,omitempty"` // the limit counts UTF-8 bytes
	Split          bool          `json:"split"`                      // long text may be split into parts
	Media          []string      `json:"media,omitempty"`            // attachment types it accepts
	MaxMediaBytes  int64         `json:"max_media_bytes,omitempty"`
	QuickReplies   int           `json:"quick_replies,omitempty"` // max quick replies, 0 = none
	Buttons        int           `json:"buttons,omitempty"`
	ReplyWindow    time.Duration `json:"reply_window,omitempty"` // 0 = no window
	TagWindow      time.Duration `json:"tag_window,omitempty"`   // HUMAN_AGENT-style extension
	Templates      bool          `json:"templates,omitempty"`    // may send approved templates outside the window
	Threading      bool          `json:"threading,omitempty"`    // replies thread (mail, comments)
	Receipts       bool          `json:"receipts,omitempty"`     // delivery/read receipts arrive
	Typing         bool          `json:"typing,omitempty"`
}

// OutboundMessage is everything an adapter needs to send one message.
type OutboundMessage struct {
	Channel      *Channel
	Conversation *Conversation
	Contact      *Contact
	Recipient    *Identity // the identity to send to on this channel
	Message      *Message
}

// SendResult is what the platform said on success.
type SendResult struct {
	ExternalID string
	Status     MessageStatus // usually sent; delivered for synchronous channels
}

// SendErrorClass tells the sender what to do after a failed send.
type SendErrorClass string

// Send error classes.
const (
	SendTransient   SendErrorClass = "transient"    // retry with backoff (5xx, network)
	SendRateLimited SendErrorClass = "rate_limited" // retry after RetryAfter
	SendPermanent   SendErrorClass = "permanent"    // fail the message with Reason (window closed, blocked…)
	SendAuth        SendErrorClass = "auth"         // token invalid: disconnect channel, hold the message
)

// SendError is a classified send failure, with the platform's code and
// human reason kept for the agent.
type SendError struct {
	Class      SendErrorClass
	Code       string
	Reason     string
	RetryAfter time.Duration
	Err        error
}

func (e *SendError) Error() string {
	s := string(e.Class) + " send error"
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *SendError) Unwrap() error { return e.Err }

// Adapter connects one channel to its platform: it verifies and parses
// webhooks and sends messages. Adapters hold no state beyond the channel's
// configuration, so any node can build one.
type Adapter interface {
	Platform() Platform
	Capabilities() Capabilities
	// VerifyWebhook checks the request's signature over the raw body. It
	// returns EUNAUTHORIZED on a bad or missing signature.
	VerifyWebhook(r *http.Request, body []byte) error
	// ParseWebhook turns a verified body into canonical events; EINVALID if
	// the body is malformed. It must never panic, whatever the bytes.
	ParseWebhook(body []byte) ([]*InboundEvent, error)
	// Send delivers one message; errors should be *SendError.
	Send(ctx context.Context, m OutboundMessage) (SendResult, error)
}

// Handshaker is implemented by adapters whose platform verifies the webhook
// URL with a GET (Meta's hub.challenge). It returns true if it answered.
type Handshaker interface {
	Handshake(w http.ResponseWriter, r *http.Request) bool
}

// WebhookResponder is implemented by adapters whose platform expects a
// particular success body (TwiML, "EVENT_RECEIVED").
type WebhookResponder interface {
	RespondWebhook(w http.ResponseWriter)
}

// AdapterFactory builds the adapter of a channel from its configuration.
type AdapterFactory func(ch *Channel) (Adapter, error)

// AdapterSource builds (and may cache) the adapter of a channel.
type AdapterSource interface {
	Adapter(ch *Channel) (Adapter, error)
}
