package store_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
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
