package email_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/identity"
)

// TestAddressMetadataIsKnownToTheFieldPolicy: every metadata key that
// carries the addresses of the other people on a mail must be one that
// identity.MaskMessage masks, or agents whose role the field policy masks
// would see them.
func TestAddressMetadataIsKnownToTheFieldPolicy(t *testing.T) {
	a := MustAdapter(t, nil)
	others := []string{"bo.berg@example.com", "cy.chen@example.org", "dee.reply@example.net"}
	evs := MustParse(t, a, mail(`From: Ana <ana@example.com>
To: Support <support@parley.example>, Bo <bo.berg@example.com>
Cc: Cy <cy.chen@example.org>
Reply-To: Dee <dee.reply@example.net>
Subject: Order
Message-ID: <m1@mailer.test>
Content-Type: text/plain; charset=utf-8`, "Where is my order?\r\n"))
	if len(evs) != 1 {
		t.Fatalf("got %d events", len(evs))
	}
	found := map[string]bool{}
	for k, v := range evs[0].Metadata {
		for _, addr := range others {
			if !strings.Contains(v, addr) {
				continue
			}
			found[addr] = true
			if _, masked := identity.AddressMetadata[k]; !masked {
				t.Errorf("metadata %q carries %s but identity.AddressMetadata does not mask it", k, addr)
			}
		}
	}
	for _, addr := range others {
		if !found[addr] {
			t.Errorf("%s is in no metadata: the mail was not parsed as this test expects (%v)", addr, evs[0].Metadata)
		}
	}
}
