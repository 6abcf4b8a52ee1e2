package pipeline

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// Template metadata of a kind "template" reply (the WhatsApp adapter reads
// the same keys); a template without a language is en_US there too.
const (
	MetaTemplateName     = "template_name"
	MetaTemplateLanguage = "template_language"
	MetaTemplateParams   = "template_params"
	defaultTemplateLang  = "en_US"
)

// Refusal reasons of OutboundPolicy, in the error's details and as the
// failure code of a message the sender refuses.
const (
	RefusedTemplateUnknown     = "template_unknown"
	RefusedTemplateNotApproved = "template_not_approved"
	RefusedTemplateParams      = "template_param_count"
	RefusedNoMarketingConsent  = "no_marketing_consent"
	RefusedOptedOut            = "opted_out"
)

// ConsentChecker is the consent part of the identity store.
type ConsentChecker interface {
	ConsentAllows(ctx context.Context, contactID int64, platform parley.Platform, purpose string) (bool, error)
	ConsentOptedOut(ctx context.Context, contactID int64, platform parley.Platform) (bool, error)
}

// OutboundPolicy decides whether a reply may go out: a template the
// channel's account does not have approved with that many parameters is
// refused (once the channel has synced templates; before, the platform
// decides), a marketing template needs the contact's marketing consent,
// and nothing goes outside the reply window to a contact who opted out on
// the platform. The API applies it before queueing, the sender again
// before sending (templates and consent may change in between).
type OutboundPolicy struct {
	Store parley.Store // TemplateService and ConsentChecker are used when it has them
}

// Check returns a 422-coded *parley.Error with details {"reason": …} when
// m must not be sent in conversation c; window is the channel's reply
// window (0: none) and now the time of the send.
func (p OutboundPolicy) Check(ctx context.Context, c *parley.Conversation, m *parley.Message, window time.Duration, now time.Time) error {
	if m.Direction != parley.DirectionOut {
		return nil
	}
	var tpl *parley.Template
	if m.Kind == parley.KindTemplate {
		var err error
		if tpl, err = p.template(ctx, c, m); err != nil {
			return err
		}
	}
	outside := window > 0 && (c.LastInboundAt == nil || now.Sub(*c.LastInboundAt) > window)
	return p.consent(ctx, c, tpl, outside)
}

// Refusal builds a policy refusal: 422 with a machine reason.
func Refusal(reason, format string, args ...any) *parley.Error {
	e := parley.Errorf(parley.EUNSUPPORTED, format, args...)
	e.Details = map[string]string{"reason": reason}
	return e
}

// RefusalReason is the reason of a policy refusal, or "".
func RefusalReason(err error) string {
	if d, ok := parley.ErrorDetails(err).(map[string]string); ok {
		return d["reason"]
	}
	return ""
}

func (p OutboundPolicy) template(ctx context.Context, c *parley.Conversation, m *parley.Message) (*parley.Template, error) {
	name, lang := m.Metadata[MetaTemplateName], m.Metadata[MetaTemplateLanguage]
	if name == "" {
		return nil, parley.Errorf(parley.EINVALID, "a template reply needs metadata %s", MetaTemplateName)
	}
	if lang == "" {
		lang = defaultTemplateLang
	}
	var params []string
	if raw := m.Metadata[MetaTemplateParams]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &params); err != nil {
			return nil, parley.Errorf(parley.EINVALID, "%s must be a JSON array of strings", MetaTemplateParams)
		}
	}
	ts, ok := p.Store.(parley.TemplateService)
	if !ok {
		return nil, nil
	}
	list, synced, err := ts.FindTemplates(ctx, c.ChannelID)
	if err != nil || synced == nil {
		return nil, err
	}
	for _, t := range list {
		if t.Name != name || t.Language != lang {
			continue
		}
		if t.Status != parley.TemplateApproved {
			return nil, Refusal(RefusedTemplateNotApproved, "template %q (%s) is %s; only APPROVED templates can be sent", name, lang, t.Status)
		}
		if len(params) != t.Params {
			return nil, Refusal(RefusedTemplateParams, "template %q (%s) takes %d parameters; %d given", name, lang, t.Params, len(params))
		}
		return t, nil
	}
	return nil, Refusal(RefusedTemplateUnknown, "this channel has no template %q in %s (templates synced %s): sync the templates or pick another",
		name, lang, synced.Format(time.RFC3339))
}

func (p OutboundPolicy) consent(ctx context.Context, c *parley.Conversation, tpl *parley.Template, outside bool) error {
	st, ok := p.Store.(ConsentChecker)
	if !ok {
		return nil
	}
	if tpl != nil && tpl.Category == parley.TemplateMarketing {
		allowed, err := st.ConsentAllows(ctx, c.ContactID, c.Platform, identity.PurposeMarketing)
		if err != nil {
			return err
		}
		if !allowed {
			return Refusal(RefusedNoMarketingConsent, "template %q is a MARKETING template and this contact has not opted in to marketing on %s", tpl.Name, c.Platform)
		}
	}
	if !outside {
		return nil
	}
	out, err := st.ConsentOptedOut(ctx, c.ContactID, c.Platform)
	if err != nil {
		return err
	}
	if out {
		return Refusal(RefusedOptedOut, "the reply window is closed and this contact opted out of messages on %s", c.Platform)
	}
	return nil
}
