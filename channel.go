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

// Apply makes the update's changes to ch (the store's and a preview's
// rule alike).
func (u ChannelUpdate) Apply(ch *Channel) {
	if u.Name != nil {
		ch.Name = *u.Name
	}
	if u.Status != nil {
		ch.Status = *u.Status
	}
	if u.StatusReason != nil {
		ch.StatusReason = *u.StatusReason
	}
	ch.StatusCode = ChannelStatusCode(ch.Status, ch.StatusReason)
	ch.Config = MergeStrings(ch.Config, u.Config)
	ch.Secrets = MergeStrings(ch.Secrets, u.Secrets)
}

// MergeStrings applies a patch to m, in place, where a nil value deletes
// the key; it returns m (a new map if m was nil and the patch sets keys).
func MergeStrings(m map[string]string, patch map[string]*string) map[string]string {
	if len(patch) == 0 {
		return m
	}
	if m == nil {
		m = map[string]string{}
	}
	for k, v := range patch {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = *v
		}
	}
	return m
}

// ChannelService stores channels.
type ChannelService interface {
	FindChannelByID(ctx context.Context, id int64) (*Channel, error)
	FindChannels(ctx context.Context) ([]*Channel, error)
	CreateChannel(ctx context.Context, ch *Channel) error
	UpdateChannel(ctx context.Context, id int64, upd ChannelUpdate) (*Channel, error)
	DeleteChannel(ctx context.Context, id int64) error
}
