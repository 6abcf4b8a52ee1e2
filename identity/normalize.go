// Package identity resolves who a customer is across channels: it
// normalises identifiers so that the same phone number or e-mail address
// written in different ways matches, and decides which identifiers may link
// contacts automatically (only verified ones).
package identity

import (
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"github.com/parleyhq/parley"
)

// NormalizePhone returns raw as E.164 (+14155552671). Numbers written
// without a country code are read in defaultRegion (ISO 3166 alpha-2, e.g.
// "DE"); with no region they must carry one (+…, 00…).
func NormalizePhone(raw, defaultRegion string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", parley.Errorf(parley.EINVALID, "empty phone number")
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	region := strings.ToUpper(defaultRegion)
	if region == "" && !strings.HasPrefix(s, "+") && isDigits(s) {
		// WhatsApp wa_ids and Twilio numbers come as bare international digits.
		s = "+" + s
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", parley.WrapError(parley.EINVALID, err, "%q is not a phone number", raw)
	}
	// Local-only numbers (too short to dial from abroad) cannot identify anyone.
	if phonenumbers.IsPossibleNumberWithReason(num) != phonenumbers.IS_POSSIBLE {
		return "", parley.Errorf(parley.EINVALID, "%q is not a possible phone number", raw)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// EmailOptions are provider-specific matching rules, off unless a channel
// opts in: they are true only for some providers.
type EmailOptions struct {
	StripPlusTag    bool // ana+shop@x → ana@x
	IgnoreGmailDots bool // a.n.a@gmail.com → ana@gmail.com
}

// NormalizeEmail returns the bare address, case-folded. Strictly the local
// part is case-sensitive, but no mainstream provider treats it so, and
// agents expect Ana@X and ana@x to be one person.
func NormalizeEmail(raw string, opt EmailOptions) (string, error) {
	// A trailing dot is the fully qualified form of the same domain.
	addr, err := mail.ParseAddress(strings.TrimSuffix(strings.TrimSpace(raw), "."))
	if err != nil {
		return "", parley.WrapError(parley.EINVALID, err, "%q is not an e-mail address", raw)
	}
	local, domain, ok := strings.Cut(addr.Address, "@")
	if !ok || local == "" || domain == "" {
		return "", parley.Errorf(parley.EINVALID, "%q is not an e-mail address", raw)
	}
	local, domain = strings.ToLower(local), strings.ToLower(strings.TrimSuffix(domain, "."))
	if opt.StripPlusTag {
		local, _, _ = strings.Cut(local, "+")
	}
	if opt.IgnoreGmailDots && (domain == "gmail.com" || domain == "googlemail.com") {
		local, domain = strings.ReplaceAll(local, ".", ""), "gmail.com"
	}
	return local + "@" + domain, nil
}

// Normalize returns the canonical value of an identity of the given kind.
// Kinds without a canonical form (page-scoped ids) are only trimmed.
func Normalize(kind parley.IdentityKind, value, defaultRegion string) (string, error) {
	switch kind {
	case parley.IdentityPhone, parley.IdentityWhatsApp:
		return NormalizePhone(value, defaultRegion)
	case parley.IdentityEmail:
		return NormalizeEmail(value, EmailOptions{})
	}
	v := strings.TrimSpace(value)
	if v == "" {
		return "", parley.Errorf(parley.EINVALID, "empty %s identity", kind)
	}
	return v, nil
}

// NormalizeSender rewrites an inbound sender's identifiers into canonical
// form in place. An extra identity that does not parse is dropped (it
// could only mislink); an unparseable primary id is an error.
func NormalizeSender(s *parley.Sender, defaultRegion string) error {
	v, err := Normalize(s.Kind, s.ID, defaultRegion)
	if err != nil {
		return err
	}
	s.ID = v
	extra := s.Extra[:0]
	for _, id := range s.Extra {
		if v, err := Normalize(id.Kind, id.Value, defaultRegion); err == nil {
			id.Value = v
			extra = append(extra, id)
		}
	}
	s.Extra = extra
	return nil
}
