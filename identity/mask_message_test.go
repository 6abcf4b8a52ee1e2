package identity_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

func TestMaskMessage(t *testing.T) {
	m := &parley.Message{ID: 1, Body: "hi", Metadata: map[string]string{
		"email_cc": "bo.berg@example.com,  cy@example.org", "email_reply_to": "dee@example.net", "email_references": "m1@mailer.test"}}
	got := identity.MaskMessage(m)
	want := map[string]string{"email_cc": "b***@example.com, c***@example.org", "email_reply_to": "d***@example.net", "email_references": "m1@mailer.test"}
	for k, v := range want {
		if got.Metadata[k] != v {
			t.Errorf("%s = %q, want %q", k, got.Metadata[k], v)
		}
	}
	if m.Metadata["email_cc"] != "bo.berg@example.com,  cy@example.org" {
		t.Error("MaskMessage changed its argument")
	}
	if !identity.HasMaskedAddress(got.Metadata["email_cc"]) || identity.HasMaskedAddress(m.Metadata["email_cc"]) {
		t.Error("HasMaskedAddress does not tell masked from real addresses")
	}
	plain := &parley.Message{ID: 2, Metadata: map[string]string{"template_name": "x"}}
	if identity.MaskMessage(plain) != plain || identity.MaskMessage(nil) != nil {
		t.Error("a message without addresses is not shared as is")
	}
}
