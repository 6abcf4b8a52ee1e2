package parley

import (
	"context"
	"time"
)

// TemplateCategory is what Meta approved a WhatsApp template for; it decides
// whether sending it needs the contact's marketing consent.
type TemplateCategory string

// Template categories (WhatsApp).
const (
	TemplateMarketing      TemplateCategory = "MARKETING"
	TemplateUtility        TemplateCategory = "UTILITY"
	TemplateAuthentication TemplateCategory = "AUTHENTICATION"
)

// TemplateStatus is the platform's review state of a template; only
// approved ones can be sent.
type TemplateStatus string

// Template statuses (WhatsApp).
const (
	TemplateApproved TemplateStatus = "APPROVED"
	TemplatePending  TemplateStatus = "PENDING"
	TemplateRejected TemplateStatus = "REJECTED"
	TemplatePaused   TemplateStatus = "PAUSED"
	TemplateDisabled TemplateStatus = "DISABLED"
)

// Template is a message template a channel's account has on the platform
// (WhatsApp message templates), as last synced. Params is the number of
// {{n}} placeholders of the body, which a send must fill.
type Template struct {
	Name     string           `json:"name"`
	Language string           `json:"language"`
	Category TemplateCategory `json:"category"`
	Status   TemplateStatus   `json:"status"`
	Body     string           `json:"body"`
	Header   string           `json:"header"`
	Footer   string           `json:"footer"`
	Params   int              `json:"params"`
}

// TemplateSource is implemented by adapters whose platform keeps message
// templates per account; it lists all of them (every page).
type TemplateSource interface {
	Templates(ctx context.Context) ([]*Template, error)
}

// TemplateService stores the templates synced from each channel's account.
type TemplateService interface {
	// ReplaceTemplates makes templates the channel's whole list and records
	// that it was synced at the transaction's time.
	ReplaceTemplates(ctx context.Context, channelID int64, templates []*Template) error
	// FindTemplates lists a channel's templates by name and language;
	// syncedAt is nil if the channel was never synced.
	FindTemplates(ctx context.Context, channelID int64) (templates []*Template, syncedAt *time.Time, err error)
}
