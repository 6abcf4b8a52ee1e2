package store_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
	"github.com/parleyhq/parley/store"
)

func TestTemplatesReplaceAndFind(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ch := MustChannel(t, st, parley.PlatformWhatsApp, map[string]string{"phone_number_id": "1"})
		other := MustChannel(t, st, parley.PlatformWhatsApp, map[string]string{"phone_number_id": "2"})
		list, synced, err := st.FindTemplates(ctx, ch.ID)
		if err != nil || synced != nil || len(list) != 0 {
			t.Fatalf("before a sync: %v %v %v", list, synced, err)
		}
		first := []*parley.Template{
			{Name: "welcome", Language: "pt_BR", Category: parley.TemplateMarketing, Status: parley.TemplatePending, Body: "Olá {{1}}", Header: "Oi", Footer: "PARAR", Params: 1},
			{Name: "welcome", Language: "en_US", Category: parley.TemplateMarketing, Status: parley.TemplateApproved, Body: "Hi {{1}}", Params: 1},
			{Name: "order", Language: "en_US", Category: parley.TemplateUtility, Status: parley.TemplateApproved, Body: "Order {{1}} {{2}}", Params: 2},
			{Name: "order", Language: "en_US", Category: parley.TemplateUtility, Status: parley.TemplateApproved, Body: "duplicate of the platform's answer"},
		}
		if err := st.ReplaceTemplates(ctx, ch.ID, first); err != nil {
			t.Fatal(err)
		}
		if err := st.ReplaceTemplates(ctx, other.ID, first[:1]); err != nil {
			t.Fatal(err)
		}
		list, synced, err = st.FindTemplates(ctx, ch.ID)
		if err != nil || synced == nil || len(list) != 3 {
			t.Fatalf("after a sync: %d %v %v", len(list), synced, err)
		}
		if got := list[0]; got.Name != "order" || got.Params != 2 || got.Body != "Order {{1}} {{2}}" {
			t.Fatalf("first = %+v", got)
		}
		if got := *list[2]; got != *first[0] {
			t.Fatalf("pt_BR = %+v, want %+v", got, *first[0])
		}
		if err := st.ReplaceTemplates(ctx, ch.ID, nil); err != nil {
			t.Fatal(err)
		}
		list, synced, _ = st.FindTemplates(ctx, ch.ID)
		if len(list) != 0 || synced == nil {
			t.Fatalf("an empty sync keeps %d templates, synced %v", len(list), synced)
		}
		if list, _, _ := st.FindTemplates(ctx, other.ID); len(list) != 1 {
			t.Fatalf("the other channel has %d templates", len(list))
		}
		if err := st.ReplaceTemplates(ctx, 987654, first); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("unknown channel: %v", err)
		}
	})
}

func TestConsentOptedOut(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ch := MustChannel(t, st, parley.PlatformWhatsApp, map[string]string{"phone_number_id": "1"})
		c := MustIngestOne(t, st, inbound(ch, parley.IdentityWhatsApp, "4915100000001", true)).Contact
		check := func(want bool) {
			t.Helper()
			if got, err := st.ConsentOptedOut(ctx, c.ID, parley.PlatformWhatsApp); err != nil || got != want {
				t.Fatalf("opted out = %t, %v; want %t", got, err, want)
			}
		}
		check(false)
		set := func(p parley.Platform, purpose string, granted bool) {
			t.Helper()
			if _, err := st.SetConsent(ctx, identity.Consent{ContactID: c.ID, Platform: p, Purpose: purpose, Granted: granted}); err != nil {
				t.Fatal(err)
			}
		}
		set(parley.PlatformWhatsApp, identity.PurposeMarketing, true)
		set(parley.PlatformMessenger, identity.PurposeNotification, false)
		check(false)
		set(parley.PlatformWhatsApp, identity.PurposeNotification, false)
		check(true)
		set(parley.PlatformWhatsApp, identity.PurposeNotification, true)
		check(false)
	})
}
