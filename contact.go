package parley

import (
	"context"
	"time"
)

// IdentityKind is the namespace of a channel identity. Global kinds (phone,
// email) can link a customer across channels; scoped kinds (a Messenger PSID
// is page-scoped) are only unique within their channel.
type IdentityKind string

// The identity kinds.
const (
	IdentityPhone     IdentityKind = "phone"     // E.164, global
	IdentityEmail     IdentityKind = "email"     // case-folded, global
	IdentityMessenger IdentityKind = "messenger" // PSID, scoped to the page channel
	IdentityInstagram IdentityKind = "instagram" // IGSID, scoped
	IdentityFacebook  IdentityKind = "facebook"  // commenter id on a page, scoped
	IdentityWhatsApp  IdentityKind = "whatsapp"  // wa_id (also a verified phone)
	IdentityTelegram  IdentityKind = "telegram"  // user id, scoped to the bot
	IdentityWidget    IdentityKind = "widget"    // visitor id, scoped to the widget
	IdentityExternal  IdentityKind = "external"  // an API channel's own contact id, scoped
)

// Global reports whether identities of this kind are unique across all
// channels (and so can join a customer's channels together).
func (k IdentityKind) Global() bool { return k == IdentityPhone || k == IdentityEmail }

// Identity is one way to reach a contact: (kind, scope, value). ScopeChannelID
// is 0 for global kinds. Verified identities may be linked automatically;
// unverified ones only ever produce suggestions.
type Identity struct {
	ID             int64        `json:"id"`
	ContactID      int64        `json:"contact_id"`
	Kind           IdentityKind `json:"kind"`
	ScopeChannelID int64        `json:"scope_channel_id,omitempty"`
	Value          string       `json:"value"`
	Verified       bool         `json:"verified"`
	CreatedAt      time.Time    `json:"created_at"`
}

// Contact is one customer, however many channels they use.
type Contact struct {
	ID         int64             `json:"id"`
	Name       string            `json:"name"`
	Email      string            `json:"email,omitempty"`
	Phone      string            `json:"phone,omitempty"`
	Company    string            `json:"company,omitempty"`
	Tier       string            `json:"tier,omitempty"` // e.g. "vip"
	Language   string            `json:"language,omitempty"`
	AvatarURL  string            `json:"avatar_url,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Identities []*Identity       `json:"identities,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// ContactFilter selects contacts; nil fields are not filtered on.
type ContactFilter struct {
	Query *string // matches name, email, phone (substring, CJK-safe)
	Tier  *string
	Page
}

// ContactUpdate changes a contact; nil fields are left alone.
type ContactUpdate struct {
	Name       *string            `json:"name,omitempty"`
	Email      *string            `json:"email,omitempty"`
	Phone      *string            `json:"phone,omitempty"`
	Company    *string            `json:"company,omitempty"`
	Tier       *string            `json:"tier,omitempty"`
	Language   *string            `json:"language,omitempty"`
	Attributes map[string]*string `json:"attributes,omitempty"` // nil value deletes the key
}

// ContactService stores contacts and their identities.
type ContactService interface {
	FindContactByID(ctx context.Context, id int64) (*Contact, error)
	FindContacts(ctx context.Context, f ContactFilter) ([]*Contact, string, error)
	CreateContact(ctx context.Context, c *Contact) error
	UpdateContact(ctx context.Context, id int64, upd ContactUpdate) (*Contact, error)
	AddIdentity(ctx context.Context, contactID int64, id *Identity) error
}
