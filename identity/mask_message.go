package identity

import (
	"strings"

	"github.com/parleyhq/parley"
)

// AddressMetadata names the message metadata keys whose values are
// addresses (comma-separated lists allowed), with the kind that says how to
// mask them. They are channel/email's MetaCc and MetaReplyTo: the other
// people on a customer's mail are as reachable as the customer, so the
// field policy hides them too. The adapter reads the stored values when it
// sends a reply-all, so nobody's screen needs them in full.
var AddressMetadata = map[string]parley.IdentityKind{
	"email_cc":       parley.IdentityEmail,
	"email_reply_to": parley.IdentityEmail,
}

// CarriesAddresses reports whether m has metadata that MaskMessage would
// change.
func CarriesAddresses(m *parley.Message) bool {
	if m == nil {
		return false
	}
	for k := range AddressMetadata {
		if m.Metadata[k] != "" {
			return true
		}
	}
	return false
}

// MaskMessage returns m with the addresses in its metadata masked; m is
// returned as is when it has none. m itself is never changed (it may be
// shared, e.g. with an event).
func MaskMessage(m *parley.Message) *parley.Message {
	if !CarriesAddresses(m) {
		return m
	}
	out := *m
	out.Metadata = make(map[string]string, len(m.Metadata))
	for k, v := range m.Metadata {
		if kind, ok := AddressMetadata[k]; ok {
			v = maskList(kind, v)
		}
		out.Metadata[k] = v
	}
	return &out
}

// MaskMessages masks every message of a list, sharing those without
// addresses.
func MaskMessages(ms []*parley.Message) []*parley.Message {
	out := make([]*parley.Message, len(ms))
	for i, m := range ms {
		out[i] = MaskMessage(m)
	}
	return out
}

func maskList(kind parley.IdentityKind, v string) string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = MaskIdentity(kind, strings.TrimSpace(p))
	}
	return strings.Join(parts, ", ")
}

// HasMaskedAddress reports whether a metadata value holds an address that
// MaskEmail masked: a screen that sends one back gives nothing to mail.
func HasMaskedAddress(v string) bool { return strings.Contains(v, "***@") }
