package identity

import (
	"testing"

	"github.com/parleyhq/parley"
)

func TestNormalizeInbound(t *testing.T) {
	t.Run("global senders are canonical, scoped ones untouched", func(t *testing.T) {
		sms := &parley.InboundEvent{Sender: parley.Sender{Kind: parley.IdentityPhone, ID: "0151 12345678"}}
		NormalizeInbound(sms, map[string]string{ConfigDefaultRegion: "DE"})
		if sms.Sender.ID != "+4915112345678" {
			t.Fatalf("sms sender %q", sms.Sender.ID)
		}
		psid := &parley.InboundEvent{Sender: parley.Sender{Kind: parley.IdentityMessenger, ID: " PSID-Case "}}
		NormalizeInbound(psid, nil)
		if psid.Sender.ID != " PSID-Case " {
			t.Fatalf("scoped sender changed: %q", psid.Sender.ID)
		}
	})
	t.Run("WhatsApp senders gain their verified phone once", func(t *testing.T) {
		wa := &parley.InboundEvent{Sender: parley.Sender{Kind: parley.IdentityWhatsApp, ID: "4915112345678"}}
		NormalizeInbound(wa, nil)
		NormalizeInbound(wa, nil)
		if wa.Sender.ID != "4915112345678" || len(wa.Sender.Extra) != 1 || wa.Sender.Extra[0].Value != "+4915112345678" || !wa.Sender.Extra[0].Verified {
			t.Fatalf("sender %+v", wa.Sender)
		}
	})
	t.Run("extras are normalised, junk dropped, verification kept", func(t *testing.T) {
		ev := &parley.InboundEvent{Sender: parley.Sender{Kind: parley.IdentityExternal, ID: "c1", Extra: []parley.Identity{
			{Kind: parley.IdentityEmail, Value: "Ana+Shop@Example.com"}, {Kind: parley.IdentityPhone, Value: "not a phone"},
			{Kind: parley.IdentityPhone, Value: "(415) 555-2671", Verified: true}}}}
		NormalizeInbound(ev, map[string]string{ConfigDefaultRegion: "US", ConfigEmailStripPlus: "true"})
		x := ev.Sender.Extra
		if len(x) != 2 || x[0].Value != "ana@example.com" || x[0].Verified || x[1].Value != "+14155552671" || !x[1].Verified {
			t.Fatalf("extras %+v", x)
		}
	})
	t.Run("continuity defaults to link", func(t *testing.T) {
		if ContinuityMode(nil) != ContinuityLink || ContinuityMode(map[string]string{ConfigContinuity: "join"}) != ContinuityJoin ||
			ContinuityMode(map[string]string{ConfigContinuity: "bogus"}) != ContinuityLink {
			t.Fatal("continuity modes")
		}
	})
}

func FuzzNormalizeInbound(f *testing.F) {
	f.Add("phone", "0151 12345678", "DE", "email", "Ana@Example.com")
	f.Add("whatsapp", "4915112345678", "", "phone", "+1 415 555 2671")
	f.Add("email", "x@y", "ZZ", "phone", "")
	f.Fuzz(func(t *testing.T, kind, id, region, xkind, xval string) {
		ev := &parley.InboundEvent{Sender: parley.Sender{Kind: parley.IdentityKind(kind), ID: id,
			Extra: []parley.Identity{{Kind: parley.IdentityKind(xkind), Value: xval}}}}
		NormalizeInbound(ev, map[string]string{ConfigDefaultRegion: region})
		once := ev.Sender
		once.Extra = append([]parley.Identity(nil), ev.Sender.Extra...)
		NormalizeInbound(ev, map[string]string{ConfigDefaultRegion: region})
		if ev.Sender.ID != once.ID || len(ev.Sender.Extra) != len(once.Extra) {
			t.Fatalf("not idempotent: %+v then %+v", once, ev.Sender)
		}
	})
}
