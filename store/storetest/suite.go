package storetest

import (
	"testing"

	"github.com/parleyhq/parley"
)

// Opener returns a new, empty store for one test; it registers its own
// cleanup.
type Opener func(t testing.TB) parley.Store

// Run runs the whole store suite against the stores open returns. Each
// subtest gets its own store, so subtests never see each other's rows.
func Run(t *testing.T, open Opener) {
	suites := []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Agents", testAgents},
		{"Credentials", testCredentials},
		{"Tags", testTags},
		{"Channels", testChannels},
		{"Contacts", testContacts},
		{"Ingest", testIngest},
		{"Receipts", testReceipts},
		{"PendingReceipts", testPendingReceipts},
		{"PendingReceiptRace", testPendingReceiptRace},
		{"ReceiptWatermarks", testReceiptWatermarks},
		{"Echoes", testEchoes},
		{"AccountComments", testAccountComments},
		{"Conversations", testConversations},
		{"Inbox", testInbox},
		{"Messages", testMessages},
		{"MessageContext", testMessageContext},
		{"Search", testSearch},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) { s.run(t, open) })
	}
}
