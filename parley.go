// Package parley holds Parley's domain: the types every part of the
// helpdesk agrees on (contacts, channels, conversations, messages, agents)
// and the interfaces the adapters around it implement. It imports only the
// standard library, so storage engines, channels and transports can change
// without touching the centre.
package parley

import "time"

// Version is set at build time with -ldflags "-X github.com/parleyhq/parley.Version=…".
var Version = "dev"

// Platform names a messaging platform a channel connects to.
type Platform string

// The platforms Parley speaks. A platform can have many channels (pages,
// numbers, mailboxes, widgets).
const (
	PlatformAPI              Platform = "api"
	PlatformMessenger        Platform = "messenger"
	PlatformFacebookComments Platform = "facebook_comments"
	PlatformInstagram        Platform = "instagram"
	PlatformWhatsApp         Platform = "whatsapp"
	PlatformWidget           Platform = "widget"
	PlatformEmail            Platform = "email"
	PlatformSMS              Platform = "sms"
	PlatformVoice            Platform = "voice"
	PlatformTelegram         Platform = "telegram"
)

// Valid reports whether p is a platform Parley knows.
func (p Platform) Valid() bool {
	switch p {
	case PlatformAPI, PlatformMessenger, PlatformFacebookComments, PlatformInstagram,
		PlatformWhatsApp, PlatformWidget, PlatformEmail, PlatformSMS, PlatformVoice, PlatformTelegram:
		return true
	}
	return false
}

// Clock lets tests fix time; production uses SystemClock.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Page is one page of a cursor-paginated listing. NextCursor is empty on the
// last page; cursors are opaque to clients.
type Page struct {
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// DefaultPageLimit and MaxPageLimit bound list sizes.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200
)

// Normalize clamps the page limit into [1, MaxPageLimit].
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit > MaxPageLimit {
		p.Limit = MaxPageLimit
	}
	return p
}
