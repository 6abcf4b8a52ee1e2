package app_test

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
)

// TestSMTPSpoofedSender: mail that reaches the SMTP endpoint directly
// carries a From nobody checked. Claiming a VIP's address must not put the
// message in the VIP's history; only an Authentication-Results pass from
// the trusted upstream (--smtp-trusted-authserv-id) does.
func TestSMTPSpoofedSender(t *testing.T) {
	var support int64
	a := mustNewAppWith(t, func(c *app.Config) {
		c.SMTPAddr = "127.0.0.1:0"
		c.SMTPTrustedAuthServIDs = "mx.parley.test"
	}, func(a *app.App) {
		support = mustEmailChannel(t, a, "support@example.com", "")
	})
	ctx := context.Background()
	vip := &parley.Contact{Name: "The CEO", Tier: "vip",
		Identities: []*parley.Identity{{Kind: parley.IdentityEmail, Value: "ceo@bigcorp.example", Verified: true}}}
	if err := a.Store.CreateContact(ctx, vip); err != nil {
		t.Fatal(err)
	}
	port := a.SMTPAddr()[strings.LastIndex(a.SMTPAddr(), ":")+1:]
	c := mustSignIn(t, a)
	send := func(t *testing.T, authResults, id, subject string) {
		t.Helper()
		body := "From: The CEO <ceo@bigcorp.example>\r\nTo: support@example.com\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + ">\r\n"
		if authResults != "" {
			body = "Authentication-Results: " + authResults + "\r\n" + body
		}
		if err := sendSMTP(t, port, nil, "ceo@bigcorp.example", []string{"support@example.com"}, body+"\r\nPay invoice 77 today.\r\n"); err != nil {
			t.Fatal(err)
		}
	}
	byMessage := func(externalID string) *parley.Conversation {
		for _, conv := range conversationsOn(c, support) {
			for _, m := range messagesOf(c, conv.ID) {
				if m.ExternalID == externalID {
					return conv
				}
			}
		}
		return nil
	}
	waitFor := func(t *testing.T, externalID string) *parley.Conversation {
		t.Helper()
		var conv *parley.Conversation
		eventually(t, 20*time.Second, "ticket of "+externalID, func() bool { conv = byMessage(externalID); return conv != nil })
		return conv
	}

	var spoofContact int64
	t.Run("a From without authentication does not reach the VIP", func(t *testing.T) {
		send(t, "", "spoof-1@evil.example", "urgent")
		conv := waitFor(t, "spoof-1@evil.example")
		if conv.ContactID == vip.ID {
			t.Fatal("the spoofed mail joined the VIP's contact")
		}
		spoofContact = conv.ContactID
		got, err := a.Store.FindContactByID(ctx, conv.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range got.Identities {
			if id.Verified {
				t.Errorf("spoofed sender stored verified: %+v", id)
			}
		}
	})
	t.Run("a pass forged under an untrusted authserv-id is ignored", func(t *testing.T) {
		send(t, "mx.evil.example; dmarc=pass header.from=bigcorp.example; dkim=pass header.d=bigcorp.example", "spoof-2@evil.example", "again")
		if conv := waitFor(t, "spoof-2@evil.example"); conv.ContactID == vip.ID || conv.ContactID != spoofContact {
			t.Fatalf("contact %d, want the unverified one %d (VIP %d)", conv.ContactID, spoofContact, vip.ID)
		}
	})
	t.Run("a pass from the trusted upstream links to the VIP", func(t *testing.T) {
		send(t, "mx.parley.test; spf=pass smtp.mailfrom=ceo@bigcorp.example; dmarc=pass header.from=bigcorp.example", "real-1@bigcorp.example", "hello")
		if conv := waitFor(t, "real-1@bigcorp.example"); conv.ContactID != vip.ID {
			t.Fatalf("authenticated mail went to contact %d, not the VIP %d", conv.ContactID, vip.ID)
		}
	})
}

func TestSMTPTrustedAuthServIDConfig(t *testing.T) {
	if app.Defaults().SMTPTrustedAuthServIDs != "" {
		t.Fatal("an upstream is trusted by default")
	}
	t.Setenv("PARLEY_SMTP_TRUSTED_AUTHSERV_ID", "mx1.example.com,mx2.example.com")
	cfg, err := app.Load(flag.NewFlagSet("serve", flag.ContinueOnError), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPTrustedAuthServIDs != "mx1.example.com,mx2.example.com" {
		t.Fatalf("from the environment: %q", cfg.SMTPTrustedAuthServIDs)
	}
}
