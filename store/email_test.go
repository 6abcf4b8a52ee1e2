package store_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

func TestMailboxCheckpoints(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ch := MustChannel(t, st, parley.PlatformEmail, map[string]string{"from_address": "support@example.com"})
		if c, err := st.FindMailboxCheckpoint(ctx, ch.ID, "INBOX"); err != nil || c != (store.MailboxCheckpoint{}) {
			t.Fatalf("before any save: %+v, %v", c, err)
		}
		// UIDs and UIDVALIDITY are unsigned 32-bit: the top of the range must survive.
		saved := store.MailboxCheckpoint{UIDValidity: 4294967295, LastUID: 4294967000}
		for _, c := range []store.MailboxCheckpoint{{UIDValidity: 7, LastUID: 3}, saved} {
			if err := st.SaveMailboxCheckpoint(ctx, ch.ID, "INBOX", c); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.SaveMailboxCheckpoint(ctx, ch.ID, "Archive", store.MailboxCheckpoint{UIDValidity: 1, LastUID: 1}); err != nil {
			t.Fatal(err)
		}
		if c, err := st.FindMailboxCheckpoint(ctx, ch.ID, "INBOX"); err != nil || c != saved {
			t.Fatalf("after saves: %+v, %v; want %+v", c, err, saved)
		}
		if err := st.DeleteChannel(ctx, ch.ID); err != nil {
			t.Fatal(err)
		}
		if c, err := st.FindMailboxCheckpoint(ctx, ch.ID, "INBOX"); err != nil || c != (store.MailboxCheckpoint{}) {
			t.Fatalf("a deleted channel's checkpoint is left: %+v, %v", c, err)
		}
	})
}

func TestFindLastInboundMessage(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ch := MustChannel(t, st, parley.PlatformEmail, map[string]string{"from_address": "support@example.com"})
		first := MustIngestOne(t, st, inbound(ch, parley.IdentityEmail, "ana@example.net", true))
		ev := inbound(ch, parley.IdentityEmail, "ana@example.net", true)
		second := MustIngestOne(t, st, ev)
		if first.Conversation.ID != second.Conversation.ID {
			t.Fatal("the two mails opened two tickets")
		}
		reply := &parley.Message{ConversationID: first.Conversation.ID, Body: "on its way"}
		if err := st.CreateMessage(ctx, reply); err != nil {
			t.Fatal(err)
		}
		m, err := st.FindLastInboundMessage(ctx, first.Conversation.ID, ch.ID)
		if err != nil || m.ExternalID != ev.ExternalID || m.Direction != parley.DirectionIn {
			t.Fatalf("= %+v, %v; want the second mail %q", m, err, ev.ExternalID)
		}
		if _, err := st.FindLastInboundMessage(ctx, first.Conversation.ID, ch.ID+1000); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("another channel: err = %v", err)
		}
	})
}

func TestStartConversation(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ch := MustChannel(t, st, parley.PlatformEmail, map[string]string{"from_address": "support@example.com"})
		agent := storetest.MustCreateAgent(t, st, parley.RoleAgent)
		start := func(contactID int64, address, thread string) (*parley.Conversation, *parley.Message, error) {
			conv := &parley.Conversation{ChannelID: ch.ID, ContactID: contactID, ThreadKey: thread, Subject: "Invoice",
				AssigneeID: &agent.ID, Contact: &parley.Contact{Name: "Cleo"}}
			var ident *parley.Identity
			if address != "" {
				ident = &parley.Identity{Kind: parley.IdentityEmail, Value: address}
			}
			m := &parley.Message{Body: "Your invoice", AuthorAgentID: &agent.ID}
			return conv, m, st.StartConversation(ctx, conv, ident, m)
		}

		conv, m, err := start(0, "Cleo@Customer.example", "t1")
		if err != nil {
			t.Fatal(err)
		}
		if conv.Number == 0 || conv.ThreadKey != "t1" || conv.Subject != "Invoice" || conv.Status != parley.StatusOpen ||
			conv.AssigneeID == nil || *conv.AssigneeID != agent.ID || len(conv.Tags) != 1 || conv.LastPreview != "Your invoice" {
			t.Fatalf("conversation = %+v", conv)
		}
		if m.ID == 0 || m.Status != parley.MessageQueued || m.Direction != parley.DirectionOut || m.ConversationID != conv.ID {
			t.Fatalf("message = %+v", m)
		}
		contact, err := st.FindContactByID(ctx, conv.ContactID)
		if err != nil || contact.Name != "Cleo" || contact.Email != "cleo@customer.example" || len(contact.Identities) != 1 ||
			contact.Identities[0].Value != "cleo@customer.example" {
			t.Fatalf("contact = %+v, %v", contact, err)
		}

		if id, err := st.FindContactIDByIdentity(ctx, parley.Identity{Kind: parley.IdentityEmail, Value: " CLEO@customer.example"}); err != nil || id != conv.ContactID {
			t.Fatalf("FindContactIDByIdentity = %d, %v; want %d", id, err, conv.ContactID)
		}
		if _, err := st.FindContactIDByIdentity(ctx, parley.Identity{Kind: parley.IdentityEmail, Value: "nobody@customer.example"}); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("an unknown address: err = %v", err)
		}
		again, _, err := start(0, "cleo@customer.example", "t2")
		if err != nil || again.ContactID != conv.ContactID || again.ID == conv.ID {
			t.Fatalf("second start: %+v, %v; want the same contact, a new ticket", again, err)
		}
		other := &parley.Contact{Name: "Dan"}
		if err := st.CreateContact(ctx, other); err != nil {
			t.Fatal(err)
		}
		if _, _, err := start(other.ID, "cleo@customer.example", "t3"); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Fatalf("another contact's address: err = %v, want conflict", err)
		}
		if _, _, err := start(0, "", "t4"); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("no contact, no address: err = %v", err)
		}
		if _, _, err := start(0, "cleo@customer.example", "t1"); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Fatalf("the same active thread twice: err = %v", err)
		}
	})
}
