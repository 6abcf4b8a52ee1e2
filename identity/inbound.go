package identity

import (
	"github.com/parleyhq/parley"
)

// Channel Config keys the identity capability reads.
const (
	// ConfigDefaultRegion is the ISO region numbers without a country code
	// are read in (e.g. "DE" for a German SMS number).
	ConfigDefaultRegion = "default_region"
	// ConfigEmailStripPlus and ConfigEmailGmailDots turn on provider
	// matching rules for e-mail ("true"); off by default.
	ConfigEmailStripPlus = "email_strip_plus"
	ConfigEmailGmailDots = "email_gmail_dots"
	// ConfigContinuity is what happens when a customer writes on this
	// channel while a ticket of theirs is open on another: "join" (the
	// message joins that ticket), "link" (a new ticket linked to it) or
	// "off". Default "link".
	ConfigContinuity = "continuity"
	// ConfigRepeatDays is the window, in days, in which a new ticket after a
	// resolved one counts as a repeat contact and is linked (default 7, 0 off).
	ConfigRepeatDays = "repeat_window_days"
)

// Continuity modes.
const (
	ContinuityJoin = "join"
	ContinuityLink = "link"
	ContinuityOff  = "off"
)

// ContinuityMode reads a channel's continuity setting.
func ContinuityMode(config map[string]string) string {
	switch v := config[ConfigContinuity]; v {
	case ContinuityJoin, ContinuityOff:
		return v
	}
	return ContinuityLink
}

// EmailOptionsOf reads a channel's e-mail matching rules.
func EmailOptionsOf(config map[string]string) EmailOptions {
	return EmailOptions{StripPlusTag: config[ConfigEmailStripPlus] == "true", IgnoreGmailDots: config[ConfigEmailGmailDots] == "true"}
}

// NormalizeInbound brings an inbound event's identifiers into canonical
// form with the settings of its channel, in place:
//   - a global sender id (phone, e-mail) becomes E.164 or the folded
//     address; one that does not parse is left as the platform gave it;
//   - channel-scoped sender ids are left alone: they are the platform's
//     address for replies (a WhatsApp wa_id stays bare digits);
//   - a WhatsApp sender gains its number as a verified phone, if the
//     adapter did not add it;
//   - extras are normalised; ones that do not parse are dropped.
func NormalizeInbound(ev *parley.InboundEvent, config map[string]string) {
	region := config[ConfigDefaultRegion]
	opt := EmailOptionsOf(config)
	s := &ev.Sender
	if s.Kind.Global() {
		if v, err := normalizeGlobal(s.Kind, s.ID, region, opt); err == nil {
			s.ID = v
		}
	}
	extra := s.Extra[:0]
	hasPhone := false
	for _, id := range s.Extra {
		v, err := normalizeGlobal(id.Kind, id.Value, region, opt)
		if err != nil {
			continue
		}
		id.Value = v
		hasPhone = hasPhone || (id.Kind == parley.IdentityPhone && id.Verified)
		extra = append(extra, id)
	}
	s.Extra = extra
	if s.Kind == parley.IdentityWhatsApp && !hasPhone && s.ID != "" {
		if v, err := NormalizePhone(s.ID, ""); err == nil {
			s.Extra = append(s.Extra, parley.Identity{Kind: parley.IdentityPhone, Value: v, Verified: true})
		}
	}
}

func normalizeGlobal(kind parley.IdentityKind, v, region string, opt EmailOptions) (string, error) {
	switch kind {
	case parley.IdentityPhone:
		return NormalizePhone(v, region)
	case parley.IdentityEmail:
		return NormalizeEmail(v, opt)
	}
	return Normalize(kind, v, region)
}
