package httpapi

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
	metaTemplateName     = "template_name"
	metaTemplateLanguage = "template_language"
	metaTemplateParams   = "template_params"
	defaultTemplateLang  = "en_US"
)

// refusal is a reply Parley will not queue: the platform would refuse it,
// or the customer did not agree to it. 422 with a machine reason.
func refusal(reason, format string, args ...any) error {
	e := parley.Errorf(parley.EUNSUPPORTED, format, args...)
	e.Details = map[string]string{"reason": reason}
	return e
}

// checkOutbound refuses, before it is queued, a reply that cannot or must
// not go out: a template the channel's account does not have approved with
// that many parameters, a marketing template without marketing consent,
// and anything outside the reply window to a contact who opted out there.
func (s *Server) checkOutbound(ctx context.Context, c *parley.Conversation, m *parley.Message) error {
	if m.Direction != parley.DirectionOut {
		return nil
	}
	var tpl *parley.Template
	if m.Kind == parley.KindTemplate {
		var err error
		if tpl, err = s.checkTemplate(ctx, c, m); err != nil {
			return err
		}
	}
	outside, err := s.outsideWindow(ctx, c)
	if err != nil {
		return err
	}
	return s.checkConsent(ctx, c, tpl, outside)
}

// checkTemplate finds the template a reply names among the channel's
// synced ones. Before the first sync nothing is known, and the platform
// decides (its refusal fails the message).
func (s *Server) checkTemplate(ctx context.Context, c *parley.Conversation, m *parley.Message) (*parley.Template, error) {
	name, lang := m.Metadata[metaTemplateName], m.Metadata[metaTemplateLanguage]
	if name == "" {
		return nil, parley.Errorf(parley.EINVALID, "a template reply needs metadata %s", metaTemplateName)
	}
	if lang == "" {
		lang = defaultTemplateLang
	}
	var params []string
	if raw := m.Metadata[metaTemplateParams]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &params); err != nil {
			return nil, parley.Errorf(parley.EINVALID, "%s must be a JSON array of strings", metaTemplateParams)
		}
	}
	ts, ok := s.store.(parley.TemplateService)
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
			return nil, refusal("template_not_approved", "template %q (%s) is %s; only APPROVED templates can be sent", name, lang, t.Status)
		}
		if len(params) != t.Params {
			return nil, refusal("template_param_count", "template %q (%s) takes %d parameters; %d given", name, lang, t.Params, len(params))
		}
		return t, nil
	}
	return nil, refusal("template_unknown", "this channel has no template %q in %s (templates synced %s): sync the templates or pick another",
		name, lang, synced.Format(time.RFC3339))
}

// outsideWindow reports whether a reply now would fall outside the
// channel's reply window, i.e. be a proactive message.
func (s *Server) outsideWindow(ctx context.Context, c *parley.Conversation) (bool, error) {
	ch, err := s.channels.find(ctx, s.store, c.ChannelID)
	if err != nil {
		return false, err
	}
	a, err := s.cfg.Adapters.Adapter(ch)
	if err != nil {
		return false, nil // the sender reports a channel without an adapter
	}
	window := a.Capabilities().ReplyWindow
	if window <= 0 {
		return false, nil
	}
	return c.LastInboundAt == nil || s.clock.Now().Sub(*c.LastInboundAt) > window, nil
}

// consentStore is the part of the identity store the policy needs.
type consentStore interface {
	ConsentAllows(ctx context.Context, contactID int64, platform parley.Platform, purpose string) (bool, error)
	ConsentOptedOut(ctx context.Context, contactID int64, platform parley.Platform) (bool, error)
}

func (s *Server) checkConsent(ctx context.Context, c *parley.Conversation, tpl *parley.Template, outside bool) error {
	st, ok := s.store.(consentStore)
	if !ok {
		return nil
	}
	if tpl != nil && tpl.Category == parley.TemplateMarketing {
		allowed, err := st.ConsentAllows(ctx, c.ContactID, c.Platform, identity.PurposeMarketing)
		if err != nil {
			return err
		}
		if !allowed {
			return refusal("no_marketing_consent", "template %q is a MARKETING template and this contact has not opted in to marketing on %s", tpl.Name, c.Platform)
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
		return refusal("opted_out", "the reply window is closed and this contact opted out of messages on %s", c.Platform)
	}
	return nil
}
