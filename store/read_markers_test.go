package store_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

func TestReadMarkers(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ana := storetest.MustCreateAgent(t, st, parley.RoleAgent)
		ben := storetest.MustCreateAgent(t, st, parley.RoleAgent)
		ch := MustChannel(t, st, parley.PlatformWhatsApp, nil)
		first := MustIngestOne(t, st, inbound(ch, parley.IdentityWhatsApp, "+4915100000001", true))
		conv := first.Conversation.ID
		second := MustIngestOne(t, st, inbound(ch, parley.IdentityWhatsApp, "+4915100000001", true))
		if second.Conversation.ID != conv {
			t.Fatalf("second message opened ticket %d, want %d", second.Conversation.ID, conv)
		}
		other := MustIngestOne(t, st, inbound(ch, parley.IdentityWhatsApp, "+4915100000002", true)).Conversation.ID
		m1, m2 := first.Message.ID, second.Message.ID
		unread := func(agentID int64) map[int64]bool {
			t.Helper()
			got, err := st.UnreadConversations(ctx, agentID, []int64{conv, other})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		mark := func(agentID, messageID int64) {
			t.Helper()
			if err := st.MarkConversationRead(ctx, conv, agentID, messageID); err != nil {
				t.Fatalf("mark read %d: %v", messageID, err)
			}
		}

		t.Run("unread until the newest customer message is read", func(t *testing.T) {
			if got := unread(ana.ID); !got[conv] || !got[other] {
				t.Fatalf("never read: %v", got)
			}
			mark(ana.ID, m1)
			if got := unread(ana.ID); !got[conv] {
				t.Errorf("read up to the first of two messages, but not unread: %v", got)
			}
			mark(ana.ID, m2)
			if got := unread(ana.ID); got[conv] || !got[other] {
				t.Errorf("read up to the last message: %v; want only the other ticket unread", got)
			}
			if got := unread(ben.ID); !got[conv] {
				t.Errorf("Ben read nothing, but the ticket is read for him: %v", got)
			}
		})
		t.Run("the position never moves backwards", func(t *testing.T) {
			mark(ana.ID, m1)
			if pos, err := st.ConversationReadPosition(ctx, conv, ana.ID); err != nil || pos != m2 {
				t.Errorf("position %d (%v), want %d", pos, err, m2)
			}
		})
		t.Run("our own replies do not make a ticket unread; a new customer message does", func(t *testing.T) {
			reply := &parley.Message{ConversationID: conv, ChannelID: ch.ID, Platform: ch.Platform, Direction: parley.DirectionOut,
				Kind: parley.KindText, Body: "hi", Status: parley.MessageQueued, AuthorAgentID: &ben.ID}
			if err := st.CreateMessage(ctx, reply); err != nil {
				t.Fatal(err)
			}
			if got := unread(ana.ID); got[conv] {
				t.Errorf("unread after our reply: %v", got)
			}
			MustIngestOne(t, st, inbound(ch, parley.IdentityWhatsApp, "+4915100000001", true))
			if got := unread(ana.ID); !got[conv] {
				t.Errorf("a new customer message left the ticket read: %v", got)
			}
		})
		t.Run("a message of another ticket is refused", func(t *testing.T) {
			if err := st.MarkConversationRead(ctx, other, ana.ID, m1); parley.ErrorCode(err) != parley.EINVALID {
				t.Errorf("got %v", err)
			}
		})
		t.Run("each customer message is claimed for a platform receipt once", func(t *testing.T) {
			m, ok, err := st.ClaimReadReceipt(ctx, conv, m2, ana.ID)
			if err != nil || !ok || m.ID != m2 || m.ExternalID == "" {
				t.Fatalf("first claim: %v %v %+v", err, ok, m)
			}
			if _, ok, err := st.ClaimReadReceipt(ctx, conv, m2, ben.ID); err != nil || ok {
				t.Errorf("second claim of the same message: %v %v", ok, err)
			}
			if _, ok, err := st.ClaimReadReceipt(ctx, conv, m1, ben.ID); err != nil || ok {
				t.Errorf("an older message after a newer one was reported: %v %v", ok, err)
			}
			if _, ok, err := st.ClaimReadReceipt(ctx, other, 0, ben.ID); err != nil || ok {
				t.Errorf("nothing read, yet claimed: %v %v", ok, err)
			}
		})
	})
}
