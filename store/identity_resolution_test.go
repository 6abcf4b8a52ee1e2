package store_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
)

// A resolution scenario: a first message makes a contact, a second one
// either lands on the same contact or on a new one.
type resolutionCase struct {
	name        string
	first       func(chs channels) *parley.InboundEvent
	second      func(chs channels) *parley.InboundEvent
	sameContact bool
}

type channels struct {
	whatsapp, smsDE, smsUS, mail, mailPlus, api, apiTrusted, widget *parley.Channel
}

func mustChannels(tb testing.TB, st *store.Store) channels {
	return channels{
		whatsapp:   MustChannel(tb, st, parley.PlatformWhatsApp, nil),
		smsDE:      MustChannel(tb, st, parley.PlatformSMS, map[string]string{"default_region": "DE"}),
		smsUS:      MustChannel(tb, st, parley.PlatformSMS, map[string]string{"default_region": "US"}),
		mail:       MustChannel(tb, st, parley.PlatformEmail, nil),
		mailPlus:   MustChannel(tb, st, parley.PlatformEmail, map[string]string{"email_strip_plus": "true"}),
		api:        MustChannel(tb, st, parley.PlatformAPI, nil),
		apiTrusted: MustChannel(tb, st, parley.PlatformAPI, map[string]string{"trust_identities": "true"}),
		widget:     MustChannel(tb, st, parley.PlatformWidget, nil),
	}
}

func phone(v string, verified bool) parley.Identity {
	return parley.Identity{Kind: parley.IdentityPhone, Value: v, Verified: verified}
}

func email(v string, verified bool) parley.Identity {
	return parley.Identity{Kind: parley.IdentityEmail, Value: v, Verified: verified}
}

var resolutionCases = []resolutionCase{
	{"WhatsApp number then the same number by SMS in national format", func(c channels) *parley.InboundEvent {
		return inbound(c.whatsapp, parley.IdentityWhatsApp, "4915112345678", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.smsDE, parley.IdentityPhone, "0151 1234 5678", true)
	}, true},
	{"SMS in German national format then international format on a US channel", func(c channels) *parley.InboundEvent {
		return inbound(c.smsDE, parley.IdentityPhone, "(0151) 12345678", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.smsUS, parley.IdentityPhone, "+49 151 12345678", true)
	}, true},
	{"00 prefix and spaces are the same number", func(c channels) *parley.InboundEvent {
		return inbound(c.smsUS, parley.IdentityPhone, "0049-151-12345678", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.whatsapp, parley.IdentityWhatsApp, "4915112345678", true)
	}, true},
	{"the same national digits in another country are another person", func(c channels) *parley.InboundEvent {
		return inbound(c.smsDE, parley.IdentityPhone, "030 1234567", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.smsUS, parley.IdentityPhone, "030 1234567", true)
	}, false},
	{"e-mail case variants", func(c channels) *parley.InboundEvent {
		return inbound(c.mail, parley.IdentityEmail, "Ana.Silva@Example.COM", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.mail, parley.IdentityEmail, "ana.silva@example.com.", true)
	}, true},
	{"plus tags differ unless the channel says to strip them", func(c channels) *parley.InboundEvent {
		return inbound(c.mail, parley.IdentityEmail, "ana@example.com", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.mail, parley.IdentityEmail, "ana+shop@example.com", true)
	}, false},
	{"plus tags are stripped where configured", func(c channels) *parley.InboundEvent {
		return inbound(c.mail, parley.IdentityEmail, "ana@example.com", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.mailPlus, parley.IdentityEmail, "Ana+Shop@example.com", true)
	}, true},
	{"e-mail typed into an API chat does not link to the mail contact", func(c channels) *parley.InboundEvent {
		return inbound(c.mail, parley.IdentityEmail, "ana@example.com", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.api, parley.IdentityExternal, "cust-1", true, email("ANA@example.com", false))
	}, false},
	{"phone typed into the widget does not link to the WhatsApp contact", func(c channels) *parley.InboundEvent {
		return inbound(c.whatsapp, parley.IdentityWhatsApp, "4915112345678", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.widget, parley.IdentityWidget, "visitor-9", false, phone("+49 151 12345678", false))
	}, false},
	{"a signed widget user's verified e-mail links", func(c channels) *parley.InboundEvent {
		return inbound(c.mail, parley.IdentityEmail, "ana@example.com", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.widget, parley.IdentityWidget, "user-7", true, email("Ana@Example.com", true))
	}, true},
	{"a trusted API's verified phone links across formats", func(c channels) *parley.InboundEvent {
		return inbound(c.whatsapp, parley.IdentityWhatsApp, "14155552671", true)
	}, func(c channels) *parley.InboundEvent {
		return inbound(c.apiTrusted, parley.IdentityExternal, "cust-2", true, phone("+1 (415) 555-2671", true))
	}, true},
}

func TestIdentityResolutionScenarios(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		for _, c := range resolutionCases {
			t.Run(c.name, func(t *testing.T) {
				st := open(t)
				chs := mustChannels(t, st)
				a := MustIngestOne(t, st, c.first(chs))
				b := MustIngestOne(t, st, c.second(chs))
				if same := a.Contact.ID == b.Contact.ID; same != c.sameContact {
					t.Fatalf("same contact = %v, want %v (contacts %d and %d)", same, c.sameContact, a.Contact.ID, b.Contact.ID)
				}
			})
		}
	})
}

func TestIngestStoresCanonicalIdentitiesAndClaims(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		st := open(t)
		chs := mustChannels(t, st)
		ctx := context.Background()
		wa := MustIngestOne(t, st, inbound(chs.whatsapp, parley.IdentityWhatsApp, "4915112345678", true))
		got, err := st.FindContactByID(ctx, wa.Contact.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[parley.IdentityKind]string{}
		for _, id := range got.Identities {
			kinds[id.Kind] = id.Value
		}
		if kinds[parley.IdentityWhatsApp] != "4915112345678" || kinds[parley.IdentityPhone] != "+4915112345678" {
			t.Fatalf("identities %v: want the wa_id kept for replies and the E.164 phone added", kinds)
		}
		typed := MustIngestOne(t, st, inbound(chs.api, parley.IdentityExternal, "cust-1", true,
			email("Ana@Example.com", false), phone("garbage", false)))
		if n := countRows(t, st, `SELECT COUNT(*) FROM identity_claims WHERE contact_id = $1 AND kind = 'email' AND value = 'ana@example.com'`, typed.Contact.ID); n != 1 {
			t.Fatalf("%d claims of the typed e-mail", n)
		}
		if n := countRows(t, st, `SELECT COUNT(*) FROM identities WHERE value = 'ana@example.com'`); n != 0 {
			t.Fatalf("typed e-mail stored as an identity (%d rows)", n)
		}
		if n := countRows(t, st, `SELECT COUNT(*) FROM identity_claims`); n != 1 {
			t.Fatalf("%d claims: the unparseable phone must be dropped", n)
		}
	})
}
