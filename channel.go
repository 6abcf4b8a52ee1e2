package parley

import (
	"context"
	"strings"
	"time"
)

// ChannelStatus says whether a channel can send and receive.
type ChannelStatus string

// Channel statuses. A disconnected channel (e.g. token revoked) keeps
// receiving what it can and holds outbound messages until reconnected.
const (
	ChannelActive       ChannelStatus = "active"
	ChannelDisconnected ChannelStatus = "disconnected"
	ChannelDisabled     ChannelStatus = "disabled"
)

// Channel is one connected account of a platform: a Facebook page, a
// WhatsApp number, a mailbox, a widget, an API integration.
type Channel struct {
	ID           int64         `json:"id"`
	Platform     Platform      `json:"platform"`
	Name         string        `json:"name"`
	Status       ChannelStatus `json:"status"`
	StatusReason string        `json:"status_reason,omitempty"`
	// StatusCode names the kind of StatusReason (ChannelReason*) so a
	// client can say it in its own language; the reason stays English.
	StatusCode string            `json:"status_code,omitempty"`
	Config     map[string]string `json:"config,omitempty"` // non-secret settings (page id, webhook URL…)
	// Secrets are credentials (tokens, app secrets). They are encrypted at
	// rest by the store and never serialised to API clients.
	Secrets   map[string]string `json:"-"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// Codes of a disconnected channel's reason (Channel.StatusCode).
const (
	ChannelReasonAuth    = "auth_failed"                 // the platform refused the channel's credentials
	ChannelReasonWebhook = "webhook_subscription_failed" // the platform would not send the channel its events
)

// WebhookSubscriptionFailed starts the reason of a channel whose webhook
// subscription failed; the platform's words follow.
const WebhookSubscriptionFailed = "webhook subscription failed: "

// ChannelStatusCode derives the code of a status reason. The reasons are
// free text (the platform's own words follow), so the code comes from
// who writes them: the connect flow's webhook prefix, else the sender,
// which disconnects a channel only when its credentials are refused.
func ChannelStatusCode(status ChannelStatus, reason string) string {
	switch {
	case status != ChannelDisconnected || reason == "":
		return ""
	case strings.HasPrefix(reason, WebhookSubscriptionFailed):
		return ChannelReasonWebhook
	}
	return ChannelReasonAuth
}

// ChannelUpdate changes a channel; nil fields are left alone. Secrets are
// merged key by key (a nil value deletes).
type ChannelUpdate struct {
	Name         *string            `json:"name,omitempty"`
	Status       *ChannelStatus     `json:"status,omitempty"`
	StatusReason *string            `json:"status_reason,omitempty"`
	Config       map[string]*string `json:"config,omitempty"`
	Secrets      map[string]*string `json:"secrets,omitempty"`
}

// ChannelService stores channels.
type ChannelService interface {
	FindChannelByID(ctx context.Context, id int64) (*Channel, error)
	FindChannels(ctx context.Context) ([]*Channel, error)
	CreateChannel(ctx context.Context, ch *Channel) error
	UpdateChannel(ctx context.Context, id int64, upd ChannelUpdate) (*Channel, error)
	DeleteChannel(ctx context.Context, id int64) error
}
