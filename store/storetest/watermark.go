package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// watermarkReceipt is a Messenger delivery or read: no ids, a time.
func watermarkReceipt(ch *parley.Channel, status parley.MessageStatus, at time.Time) *parley.InboundEvent {
	return &parley.InboundEvent{Kind: parley.InboundReceipt, ChannelID: ch.ID, Platform: ch.Platform, Status: status,
		Watermark: &at, Sender: parley.Sender{Kind: senderKind(ch.Platform), ID: "c"}, Timestamp: at}
}

func testReceiptWatermarks(t *testing.T, open Opener) {
	ctx := context.Background()
	// setup claims a reply for customer c; claimed is when its send began.
	setup := func(t *testing.T) (parley.Store, *parley.Channel, *parley.Conversation) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		return st, ch, MustConversation(t, st, ch, "c", "hi")
	}
	sending := func(t *testing.T, st parley.Store, conv *parley.Conversation) (*parley.Message, time.Time) {
		m := mustSending(t, st, conv, "Your order shipped")
		got, err := st.FindMessageByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got, got.UpdatedAt
	}
	// record stamps the send after the receipts, as a sender that lost
	// the race to the webhook does.
	record := func(t *testing.T, st parley.Store, m *parley.Message, at time.Time) *parley.Message {
		got, err := st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: m.ID, Status: parley.MessageSent, ExternalID: "m_" + m.Body[:4], At: at})
		if err != nil {
			t.Fatalf("recording the send: %v", err)
		}
		if again, _ := st.FindMessageByID(ctx, m.ID); again.Status != got.Status {
			t.Fatalf("returned %s, stored %s", got.Status, again.Status)
		}
		return got
	}

	t.Run("a read before the send is recorded applies when it is", func(t *testing.T) {
		st, ch, conv := setup(t)
		m, claimed := sending(t, st, conv)
		res := MustIngest(t, st, watermarkReceipt(ch, parley.MessageRead, claimed.Add(time.Second)))
		if len(res[0].Updated) != 0 {
			t.Fatalf("the read moved %v before the send was recorded", res[0].Updated)
		}
		if got := record(t, st, m, claimed.Add(5*time.Second)); got.Status != parley.MessageRead {
			t.Fatalf("status after recording = %s, want read", got.Status)
		}
	})
	t.Run("the furthest watermark wins", func(t *testing.T) {
		st, ch, conv := setup(t)
		m, claimed := sending(t, st, conv)
		MustIngest(t, st, watermarkReceipt(ch, parley.MessageDelivered, claimed.Add(time.Second)))
		if got := record(t, st, m, claimed.Add(5*time.Second)); got.Status != parley.MessageDelivered {
			t.Fatalf("status after recording = %s, want delivered", got.Status)
		}
	})
	t.Run("a send begun after the watermark keeps its status", func(t *testing.T) {
		st, ch, conv := setup(t)
		MustIngest(t, st, watermarkReceipt(ch, parley.MessageRead, time.Now().Add(-time.Hour)))
		m, claimed := sending(t, st, conv)
		if got := record(t, st, m, claimed.Add(time.Second)); got.Status != parley.MessageSent {
			t.Fatalf("status after recording = %s, want sent", got.Status)
		}
	})
	t.Run("an older watermark does not move the kept one back", func(t *testing.T) {
		st, ch, conv := setup(t)
		m, claimed := sending(t, st, conv)
		MustIngest(t, st, watermarkReceipt(ch, parley.MessageRead, claimed.Add(time.Second)))
		MustIngest(t, st, watermarkReceipt(ch, parley.MessageRead, claimed.Add(-time.Hour)))
		if got := record(t, st, m, claimed.Add(5*time.Second)); got.Status != parley.MessageRead {
			t.Fatalf("status after recording = %s, want read", got.Status)
		}
	})
	t.Run("another customer's watermark does not apply", func(t *testing.T) {
		st, ch, conv := setup(t)
		MustConversation(t, st, ch, "d", "hello")
		m, claimed := sending(t, st, conv)
		ev := watermarkReceipt(ch, parley.MessageRead, claimed.Add(time.Second))
		ev.Sender.ID = "d"
		MustIngest(t, st, ev)
		if got := record(t, st, m, claimed.Add(5*time.Second)); got.Status != parley.MessageSent {
			t.Fatalf("status after recording = %s, want sent", got.Status)
		}
	})
	t.Run("expired watermarks are dropped", func(t *testing.T) {
		st, ch, conv := setup(t)
		expirer, ok := st.(receiptExpirer)
		if !ok {
			t.Fatal("the store cannot expire pending receipts")
		}
		m, claimed := sending(t, st, conv)
		MustIngest(t, st, watermarkReceipt(ch, parley.MessageRead, claimed.Add(time.Second)))
		if _, err := expirer.ExpirePendingReceipts(ctx, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := record(t, st, m, claimed.Add(5*time.Second)); got.Status != parley.MessageSent {
			t.Fatalf("status after recording = %s, want sent", got.Status)
		}
	})
}
