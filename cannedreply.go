package parley

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CannedReply is a prepared answer agents insert by its shortcut. Variants
// replace Body on the platforms they name (a shorter text for SMS, no
// markup for WhatsApp…).
type CannedReply struct {
	ID        int64               `json:"id"`
	Shortcut  string              `json:"shortcut"` // unique, lower case
	Title     string              `json:"title"`
	Body      string              `json:"body"`
	Variants  map[Platform]string `json:"variants"`
	CreatedAt time.Time           `json:"created_at"`
	UpdatedAt time.Time           `json:"updated_at"`
}

// Limits of a canned reply, in characters.
const (
	CannedShortcutMax = 32
	CannedTitleMax    = 200
	CannedBodyMax     = 5000
)

// CannedReplyUpdate changes a canned reply; nil fields are left alone.
// Variants, when set, replace the whole set.
type CannedReplyUpdate struct {
	Shortcut *string              `json:"shortcut,omitempty"`
	Title    *string              `json:"title,omitempty"`
	Body     *string              `json:"body,omitempty"`
	Variants *map[Platform]string `json:"variants,omitempty"`
}

// Apply changes r as u says.
func (u CannedReplyUpdate) Apply(r *CannedReply) {
	if u.Shortcut != nil {
		r.Shortcut = *u.Shortcut
	}
	if u.Title != nil {
		r.Title = *u.Title
	}
	if u.Body != nil {
		r.Body = *u.Body
	}
	if u.Variants != nil {
		r.Variants = *u.Variants
	}
}

// Normalize trims the texts and folds the shortcut to lower case, so that
// "/Thanks" and "/thanks" cannot both exist.
func (r *CannedReply) Normalize() {
	r.Shortcut = strings.ToLower(strings.TrimSpace(r.Shortcut))
	r.Title = strings.TrimSpace(r.Title)
	r.Body = strings.TrimSpace(r.Body)
	if r.Variants == nil {
		r.Variants = map[Platform]string{}
	}
	for p, v := range r.Variants {
		r.Variants[p] = strings.TrimSpace(v)
	}
}

// Validate checks a normalized canned reply.
func (r *CannedReply) Validate() error {
	switch {
	case r.Shortcut == "":
		return Errorf(EINVALID, "shortcut is required")
	case utf8.RuneCountInString(r.Shortcut) > CannedShortcutMax:
		return Errorf(EINVALID, "shortcut is longer than %d characters", CannedShortcutMax)
	case strings.IndexFunc(r.Shortcut, unicode.IsSpace) >= 0 || strings.IndexFunc(r.Shortcut, unicode.IsControl) >= 0:
		return Errorf(EINVALID, "shortcut must be one word without spaces")
	case r.Title == "":
		return Errorf(EINVALID, "title is required")
	case utf8.RuneCountInString(r.Title) > CannedTitleMax:
		return Errorf(EINVALID, "title is longer than %d characters", CannedTitleMax)
	case r.Body == "":
		return Errorf(EINVALID, "body is required")
	case utf8.RuneCountInString(r.Body) > CannedBodyMax:
		return Errorf(EINVALID, "body is longer than %d characters", CannedBodyMax)
	}
	for p, v := range r.Variants {
		switch {
		case !p.Valid():
			return Errorf(EINVALID, "variants: unknown platform %.40q", p)
		case v == "":
			return Errorf(EINVALID, "variants.%s is empty: leave the platform out to use the body", p)
		case utf8.RuneCountInString(v) > CannedBodyMax:
			return Errorf(EINVALID, "variants.%s is longer than %d characters", p, CannedBodyMax)
		}
	}
	return nil
}

// TextFor is the reply's text on platform p: its variant, else the body.
func (r *CannedReply) TextFor(p Platform) string {
	if v, ok := r.Variants[p]; ok {
		return v
	}
	return r.Body
}

// CannedReplyService stores canned replies.
type CannedReplyService interface {
	// FindCannedReplies lists replies whose shortcut, title or body
	// contains query (any case), by shortcut; "" lists all.
	FindCannedReplies(ctx context.Context, query string) ([]*CannedReply, error)
	FindCannedReplyByID(ctx context.Context, id int64) (*CannedReply, error)
	CreateCannedReply(ctx context.Context, r *CannedReply) error
	UpdateCannedReply(ctx context.Context, id int64, u CannedReplyUpdate) (*CannedReply, error)
	DeleteCannedReply(ctx context.Context, id int64) error
}
