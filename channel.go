package parley

import (
	"context"
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
	ID           int64             `json:"id"`
	Platform     Platform          `json:"platform"`
	Name         string            `json:"name"`
	Status       ChannelStatus     `json:"status"`
	StatusReason string            `json:"status_reason,omitempty"`
	Config       map[string]string `json:"config,omitempty"` // non-secret settings (page id, webhook URL…)
	// Secrets are credentials (tokens, app secrets). They are encrypted at
	// rest by the store and never serialised to API clients.
	Secrets   map[string]string `json:"-"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
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
