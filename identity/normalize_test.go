package identity

import (
	"testing"

	"github.com/parleyhq/parley"
)

func TestSamePhoneWrittenManyWaysMatches(t *testing.T) {
	cases := []struct {
		raw, region, want string
	}{
		{"+49 30 1234567", "", "+49301234567"},
		{"0049 30 1234567", "", "+49301234567"},
		{"030 1234567", "DE", "+49301234567"},
		{"(030) 123 45 67", "DE", "+49301234567"},
		{"49301234567", "", "+49301234567"}, // WhatsApp wa_id form
		{"+1 (415) 555-2671", "", "+14155552671"},
		{"415.555.2671", "US", "+14155552671"},
		{"+86 138 0013 8000", "", "+8613800138000"},
		{"138 0013 8000", "CN", "+8613800138000"},
		{"090-1234-5678", "JP", "+819012345678"},
		{"+81 90 1234 5678", "US", "+819012345678"}, // an explicit code beats the region
		{"07911 123456", "GB", "+447911123456"},
	}
	for _, c := range cases {
		t.Run(c.raw+"@"+c.region, func(t *testing.T) {
			got, err := NormalizePhone(c.raw, c.region)
			if err != nil || got != c.want {
				t.Fatalf("NormalizePhone(%q, %q) = %q, %v; want %q", c.raw, c.region, got, err, c.want)
			}
		})
	}
}

func TestNotAPhoneNumber(t *testing.T) {
	for _, raw := range []string{"", "hello", "12", "+999 1"} {
		if got, err := NormalizePhone(raw, "DE"); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("NormalizePhone(%q) = %q, %v; want EINVALID", raw, got, err)
		}
	}
}

func TestEmailCaseFolding(t *testing.T) {
	cases := []struct {
		raw  string
		opt  EmailOptions
		want string
	}{
		{"Ana.Silva@Example.COM", EmailOptions{}, "ana.silva@example.com"},
		{"  ana@example.com. ", EmailOptions{}, "ana@example.com"},
		{"Ana Silva <ANA@example.com>", EmailOptions{}, "ana@example.com"},
		{"ana+shop@example.com", EmailOptions{}, "ana+shop@example.com"}, // no provider tricks by default
		{"ana+shop@example.com", EmailOptions{StripPlusTag: true}, "ana@example.com"},
		{"a.n.a@gmail.com", EmailOptions{}, "a.n.a@gmail.com"},
		{"A.n.a@GoogleMail.com", EmailOptions{IgnoreGmailDots: true}, "ana@gmail.com"},
	}
	for _, c := range cases {
		got, err := NormalizeEmail(c.raw, c.opt)
		if err != nil || got != c.want {
			t.Errorf("NormalizeEmail(%q, %+v) = %q, %v; want %q", c.raw, c.opt, got, err, c.want)
		}
	}
	for _, raw := range []string{"", "ana", "ana@", "@example.com", "ana@@example.com"} {
		if _, err := NormalizeEmail(raw, EmailOptions{}); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("NormalizeEmail(%q) accepted", raw)
		}
	}
}

func TestNormalizeSenderDropsUnparseableExtras(t *testing.T) {
	s := parley.Sender{Kind: parley.IdentityWhatsApp, ID: "4915112345678", Verified: true, Extra: []parley.Identity{
		{Kind: parley.IdentityPhone, Value: "4915112345678", Verified: true},
		{Kind: parley.IdentityEmail, Value: "not an address"},
		{Kind: parley.IdentityEmail, Value: "Ana@Example.com"},
	}}
	if err := NormalizeSender(&s, ""); err != nil {
		t.Fatal(err)
	}
	if s.ID != "+4915112345678" || len(s.Extra) != 2 || s.Extra[0].Value != "+4915112345678" || s.Extra[1].Value != "ana@example.com" {
		t.Fatalf("normalised sender = %+v", s)
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+49 30 1234567", "030 1234567", "00", "+", "()", "090-1234-5678"} {
		f.Add(s, "DE")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := NormalizePhone(raw, region)
		if err != nil {
			return
		}
		again, err := NormalizePhone(got, "")
		if err != nil || again != got {
			t.Fatalf("E.164 %q does not normalise to itself: %q, %v", got, again, err)
		}
	})
}
