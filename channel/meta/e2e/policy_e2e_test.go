package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
)

// TestWhatsAppOptOutAndMarketingConsent: the API refuses, with a reason
// the agent can act on, a template outside the reply window to a contact
// who opted out on WhatsApp, and a MARKETING template to a contact without
// marketing consent; nothing of either reaches the platform.
func TestWhatsAppOptOutAndMarketingConsent(t *testing.T) {
	n := mustStartNode(t)
	wa := n.channels[parley.PlatformWhatsApp]
	n.fake.PutTemplate(n.demo.PhoneNumberID, fake.Template{Name: "spring_sale", Language: "en_US", Status: "APPROVED", Category: "MARKETING", Body: "Spring sale: 20% off"})
	var synced struct{ Items []parley.Template }
	n.do(t, "POST", fmt.Sprintf("/api/v1/channels/%d/templates/sync", wa.ID), nil, &synced)

	const stale, fresh = "351910000001", "351910000002"
	n.skew.Store(int64(-25 * time.Hour))
	if _, err := n.fake.WhatsAppText(n.demo.PhoneNumberID, stale, "Ana Lima", "Obrigada"); err != nil {
		t.Fatal(err)
	}
	n.skew.Store(0)
	if _, err := n.fake.WhatsAppText(n.demo.PhoneNumberID, fresh, "Rui Costa", "Any offers?"); err != nil {
		t.Fatal(err)
	}
	staleConv := n.mustTicket(t, parley.PlatformWhatsApp, stale)
	freshConv := n.mustTicket(t, parley.PlatformWhatsApp, fresh)
	post := func(conv *parley.Conversation, name, params string) (int, string) {
		status, raw := n.call(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]any{"kind": "template",
			"body": name, "metadata": map[string]string{"template_name": name, "template_language": "en_US", "template_params": params}})
		return status, string(raw)
	}
	consent := func(conv *parley.Conversation, purpose string, granted bool) {
		n.do(t, "PUT", fmt.Sprintf("/api/v1/contacts/%d/consents", conv.ContactID),
			map[string]any{"platform": parley.PlatformWhatsApp, "purpose": purpose, "granted": granted, "source": "customer wrote STOP"}, nil)
	}

	t.Run("a template outside the window to an opted-out contact is refused", func(t *testing.T) {
		consent(staleConv, "notification", false)
		status, raw := post(staleConv, "order_update", `["Ana","#7"]`)
		if status != 422 || !strings.Contains(raw, "opted_out") || !strings.Contains(raw, "opted out") {
			t.Fatalf("answer %d %s; want 422 with reason opted_out", status, raw)
		}
		consent(staleConv, "notification", true)
		if status, raw := post(staleConv, "order_update", `["Ana","#7"]`); status >= 300 {
			t.Fatalf("after opting back in: %d %s", status, raw)
		}
		n.waitFor(t, "the template after the opt-in at the platform", func() bool {
			return len(n.sends("/"+n.demo.PhoneNumberID+"/messages", `"Ana"`)) > 0
		})
		if got := n.sends("/"+n.demo.PhoneNumberID+"/messages", `"Ana"`); len(got) != 1 {
			t.Fatalf("the platform received %d sends to %s; want only the one after the opt-in", len(got), stale)
		}
	})
	t.Run("a marketing template needs marketing consent", func(t *testing.T) {
		status, raw := post(freshConv, "spring_sale", `[]`)
		if status != 422 || !strings.Contains(raw, "no_marketing_consent") || !strings.Contains(raw, "MARKETING") {
			t.Fatalf("answer %d %s; want 422 with reason no_marketing_consent", status, raw)
		}
		if got := n.sends("/"+n.demo.PhoneNumberID+"/messages", "spring_sale"); len(got) != 0 {
			t.Fatalf("a refused marketing template reached the platform: %+v", got)
		}
		consent(freshConv, "marketing", true)
		status, raw = post(freshConv, "spring_sale", `[]`)
		if status >= 300 {
			t.Fatalf("with marketing consent: %d %s", status, raw)
		}
		n.waitFor(t, "the marketing template at the platform", func() bool {
			return len(n.sends("/"+n.demo.PhoneNumberID+"/messages", "spring_sale")) == 1
		})
	})
}

// TestWhatsAppAsyncFailureMarksTheReplyFailed: WhatsApp accepts a send and
// reports later, in a "failed" status webhook, that it could not deliver
// (131026) or that the window had closed on its side (131047); the stored
// reply turns failed with the platform's reason.
func TestWhatsAppAsyncFailureMarksTheReplyFailed(t *testing.T) {
	n := mustStartNode(t, func(c *fake.Config) { c.AsyncWhatsAppFailures = true })
	cases := []struct {
		user, code, reason string
		setup              func(user string)
	}{
		{"351920000001", "131026", "undeliverable", func(user string) { n.fake.Block(n.demo.PhoneNumberID, user) }},
		{"351920000002", "131047", "24 hours", func(user string) {
			n.fake.SetInbound(n.demo.PhoneNumberID, user, time.Now().Add(-30*time.Hour))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			if _, err := n.fake.WhatsAppText(n.demo.PhoneNumberID, tc.user, "Customer", "Hello?"); err != nil {
				t.Fatal(err)
			}
			conv := n.mustTicket(t, parley.PlatformWhatsApp, tc.user)
			tc.setup(tc.user)
			body := "We are on it " + tc.code
			m := n.reply(t, conv.ID, map[string]any{"body": body})
			failed := n.waitStatus(t, conv.ID, m.ID, parley.MessageFailed)
			got := n.sends("/"+n.demo.PhoneNumberID+"/messages", body)
			if len(got) != 1 || got[0].Status != 200 {
				t.Fatalf("the platform should have accepted the send once: %+v", got)
			}
			if failed.ExternalID == "" || !strings.Contains(string(got[0].Answer), failed.ExternalID) {
				t.Errorf("failed reply has external id %q, the platform answered %s", failed.ExternalID, got[0].Answer)
			}
			if !strings.Contains(failed.FailureCode, tc.code) || !strings.Contains(strings.ToLower(failed.FailureReason), tc.reason) {
				t.Errorf("failure %q / %q; want code %s and the platform's reason", failed.FailureCode, failed.FailureReason, tc.code)
			}
		})
	}
}
