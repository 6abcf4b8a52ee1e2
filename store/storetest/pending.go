package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// receiptExpirer is the store's clean-up of receipts no message claimed.
type receiptExpirer interface {
	ExpirePendingReceipts(ctx context.Context, before time.Time) (int, error)
}

// mustSending stores a reply in conv and claims it: the send is in flight
// and the platform's id not recorded yet.
func mustSending(tb testing.TB, st parley.Store, conv *parley.Conversation, body string) *parley.Message {
	tb.Helper()
	ctx := context.Background()
	agent := MustCreateAgent(tb, st, parley.RoleAgent)
	m := &parley.Message{ConversationID: conv.ID, Body: body, AuthorAgentID: &agent.ID, ContactID: &conv.ContactID}
	if err := st.CreateMessage(ctx, m); err != nil {
		tb.Fatal(err)
	}
	if ok, err := st.ClaimMessage(ctx, m.ID); err != nil || !ok {
		tb.Fatalf("claim: %t %v", ok, err)
	}
	return m
}

func statusReceipt(ch *parley.Channel, status parley.MessageStatus, ids ...string) *parley.InboundEvent {
	return &parley.InboundEvent{Kind: parley.InboundReceipt, ChannelID: ch.ID, Platform: ch.Platform, Status: status, Targets: ids,
		Sender: parley.Sender{Kind: senderKind(ch.Platform), ID: "c"}, Timestamp: base}
}

func mustRecordSent(tb testing.TB, st parley.Store, id int64, externalID string) *parley.Message {
	tb.Helper()
	m, err := st.UpdateMessageStatus(context.Background(), parley.StatusUpdate{MessageID: id, Status: parley.MessageSent, ExternalID: externalID})
	if err != nil {
		tb.Fatalf("recording the send: %v", err)
	}
	return m
}

func testPendingReceipts(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := func(t *testing.T) (parley.Store, *parley.Channel, *parley.Message) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformWhatsApp)
		return st, ch, mustSending(t, st, MustConversation(t, st, ch, "c", "hi"), "Your order shipped")
	}
	t.Run("a receipt before the id is recorded applies when it is", func(t *testing.T) {
		st, ch, m := setup(t)
		res := MustIngest(t, st, statusReceipt(ch, parley.MessageDelivered, "wamid.1"), statusReceipt(ch, parley.MessageRead, "wamid.1"))
		if len(res[0].Updated)+len(res[1].Updated) != 0 {
			t.Fatalf("receipts moved %v %v", res[0].Updated, res[1].Updated)
		}
		if got, _ := st.FindMessageByID(ctx, m.ID); got.Status != parley.MessageSending {
			t.Fatalf("status before the send is recorded = %s", got.Status)
		}
		if got := mustRecordSent(t, st, m.ID, "wamid.1"); got.Status != parley.MessageRead || got.ExternalID != "wamid.1" {
			t.Fatalf("after recording: %s %q", got.Status, got.ExternalID)
		}
		other := mustSending(t, st, mustFindConversation(t, st, m.ConversationID), "another")
		if got := mustRecordSent(t, st, other.ID, "wamid.2"); got.Status != parley.MessageSent {
			t.Fatalf("a message without receipts moved to %s", got.Status)
		}
	})
	t.Run("a held failure fails the message with the platform's reason", func(t *testing.T) {
		st, ch, m := setup(t)
		ev := statusReceipt(ch, parley.MessageFailed, "wamid.9")
		ev.FailureCode, ev.FailureReason = "131026", "Message undeliverable"
		MustIngest(t, st, statusReceipt(ch, parley.MessageDelivered, "wamid.9"), ev)
		got := mustRecordSent(t, st, m.ID, "wamid.9")
		if got.Status != parley.MessageFailed || got.FailureCode != "131026" || got.FailureReason != "Message undeliverable" {
			t.Fatalf("message = %s %s %s", got.Status, got.FailureCode, got.FailureReason)
		}
	})
	t.Run("receipts of known messages are not held", func(t *testing.T) {
		st, ch, m := setup(t)
		mustRecordSent(t, st, m.ID, "wamid.5")
		MustIngest(t, st, statusReceipt(ch, parley.MessageRead, "wamid.5"))
		MustIngest(t, st, statusReceipt(ch, parley.MessageDelivered, "wamid.5")) // late: ignored, not held
		exp, ok := st.(receiptExpirer)
		if !ok {
			t.Fatal("the store cannot expire pending receipts")
		}
		if n, err := exp.ExpirePendingReceipts(ctx, time.Now().Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("expired %d, %v; want nothing held", n, err)
		}
	})
	t.Run("old pending receipts expire", func(t *testing.T) {
		st, ch, m := setup(t)
		MustIngest(t, st, statusReceipt(ch, parley.MessageDelivered, "wamid.7", "wamid.8"))
		exp := st.(receiptExpirer)
		if n, err := exp.ExpirePendingReceipts(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("expired %d fresh receipts, %v", n, err)
		}
		if n, err := exp.ExpirePendingReceipts(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
			t.Fatalf("expired %d, %v; want 2", n, err)
		}
		if got := mustRecordSent(t, st, m.ID, "wamid.7"); got.Status != parley.MessageSent {
			t.Fatalf("an expired receipt still applied: %s", got.Status)
		}
	})
}

func echoEvent(ch *parley.Channel, externalID, text string, meta map[string]string) *parley.InboundEvent {
	ev := MessageEvent(ch, "c", externalID, text, base.Add(time.Minute))
	ev.Direction, ev.Metadata = parley.DirectionOut, meta
	return ev
}

func outboundCount(tb testing.TB, st parley.Store, convID int64) int {
	tb.Helper()
	msgs, _, err := st.FindMessages(context.Background(), parley.MessageFilter{ConversationID: convID})
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Direction == parley.DirectionOut {
			n++
		}
	}
	return n
}

func testEchoes(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := func(t *testing.T, p parley.Platform) (parley.Store, *parley.Channel, *parley.Message) {
		st := open(t)
		ch := MustCreateChannel(t, st, p)
		return st, ch, mustSending(t, st, MustConversation(t, st, ch, "c", "hi"), "On its way!")
	}
	t.Run("an echo naming our message before the send is recorded", func(t *testing.T) {
		st, ch, m := setup(t, parley.PlatformMessenger)
		MustIngest(t, st, statusReceipt(ch, parley.MessageDelivered, "m_1"))
		res := MustIngest(t, st, echoEvent(ch, "m_1", "On its way!", map[string]string{"echo_metadata": "parley:" + strconv.FormatInt(m.ID, 10)}))[0]
		if res.Message != nil || len(res.Updated) != 1 || res.Updated[0].ID != m.ID || res.Updated[0].ExternalID != "m_1" ||
			res.Updated[0].Status != parley.MessageDelivered {
			t.Fatalf("result %+v", res)
		}
		if got := mustRecordSent(t, st, m.ID, "m_1"); got.Status != parley.MessageDelivered {
			t.Fatalf("after the send record: %s", got.Status)
		}
		if n := outboundCount(t, st, m.ConversationID); n != 1 {
			t.Fatalf("%d outbound messages, want 1", n)
		}
		again := MustIngest(t, st, echoEvent(ch, "m_1", "On its way!", nil))[0]
		if !again.Duplicate {
			t.Fatalf("redelivered echo: %+v", again)
		}
	})
	t.Run("an echo without metadata matches the reply being sent", func(t *testing.T) {
		st, ch, m := setup(t, parley.PlatformInstagram)
		res := MustIngest(t, st, echoEvent(ch, "ig_1", "On its way!", nil))[0]
		if len(res.Updated) != 1 || res.Updated[0].ID != m.ID || res.Updated[0].Status != parley.MessageSent {
			t.Fatalf("result %+v", res)
		}
		mustRecordSent(t, st, m.ID, "ig_1")
		if n := outboundCount(t, st, m.ConversationID); n != 1 {
			t.Fatalf("%d outbound messages, want 1", n)
		}
	})
	t.Run("an echo of something typed elsewhere is a message of its own", func(t *testing.T) {
		st, ch, m := setup(t, parley.PlatformInstagram)
		res := MustIngest(t, st, echoEvent(ch, "ig_2", "typed in the Instagram app", nil))[0]
		if res.Message == nil || res.Message.Direction != parley.DirectionOut || res.Message.ExternalID != "ig_2" {
			t.Fatalf("result %+v", res)
		}
		if got, _ := st.FindMessageByID(ctx, m.ID); got.ExternalID != "" || got.Status != parley.MessageSending {
			t.Fatalf("our reply was taken for it: %+v", got)
		}
	})
	t.Run("an echo stored first is absorbed when the send is recorded", func(t *testing.T) {
		st, ch, m := setup(t, parley.PlatformInstagram)
		MustIngest(t, st, echoEvent(ch, "ig_3", "On its way! (the platform rewrote it)", nil))
		got := mustRecordSent(t, st, m.ID, "ig_3")
		if got.ExternalID != "ig_3" || got.Status != parley.MessageSent {
			t.Fatalf("message %+v", got)
		}
		if n := outboundCount(t, st, m.ConversationID); n != 1 {
			t.Fatalf("%d outbound messages, want 1", n)
		}
	})
}

// testPendingReceiptRace records sends and ingests their receipts at the
// same moment, many times: whichever commits first, no receipt is lost.
func testPendingReceiptRace(t *testing.T, open Opener) {
	st := open(t)
	ch := MustCreateChannel(t, st, parley.PlatformWhatsApp)
	conv := MustConversation(t, st, ch, "c", "hi")
	for i := range 40 {
		m := mustSending(t, st, conv, "reply "+strconv.Itoa(i))
		id := "wamid.race" + strconv.Itoa(i)
		errs := make(chan error, 2)
		start := make(chan struct{})
		go func() {
			<-start
			_, err := st.Ingest(context.Background(), []*parley.InboundEvent{statusReceipt(ch, parley.MessageRead, id)})
			errs <- err
		}()
		go func() {
			<-start
			_, err := st.UpdateMessageStatus(context.Background(), parley.StatusUpdate{MessageID: m.ID, Status: parley.MessageSent, ExternalID: id})
			errs <- err
		}()
		close(start)
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := st.FindMessageByID(context.Background(), m.ID); got.Status != parley.MessageRead {
			t.Fatalf("round %d: the read receipt was lost (status %s)", i, got.Status)
		}
	}
}

// accountComment is the Page's own comment in thread, as the comments
// adapter reports it: the Page is the sender.
func accountComment(ch *parley.Channel, externalID, thread, text string) *parley.InboundEvent {
	ev := MessageEvent(ch, "page-1", externalID, text, base.Add(2*time.Minute))
	ev.Sender.Name, ev.Direction, ev.FromAccount, ev.ThreadKey, ev.ReplyTo = "The Page", parley.DirectionOut, true, thread, thread
	return ev
}

func testAccountComments(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := func(t *testing.T) (parley.Store, *parley.Channel, *parley.Conversation) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformFacebookComments)
		ev := MessageEvent(ch, "fan-1", "555_1001", "Do you ship to Portugal?", base)
		ev.ThreadKey = "555_1001"
		return st, ch, MustIngest(t, st, ev)[0].Conversation
	}
	t.Run("the Page's own comment joins the thread's ticket as outbound", func(t *testing.T) {
		st, ch, conv := setup(t)
		res := MustIngest(t, st, accountComment(ch, "555_1003", "555_1001", "Yes, in 3 days"))[0]
		if res.Conversation == nil || res.Conversation.ID != conv.ID || res.Message.Direction != parley.DirectionOut ||
			res.Message.Metadata["author_name"] != "The Page" || *res.Message.ContactID != conv.ContactID {
			t.Fatalf("result %+v", res)
		}
		if c, _ := st.FindContactByID(ctx, conv.ContactID); c == nil || len(c.Identities) != 1 {
			t.Fatalf("the Page became an identity of the customer: %+v", c)
		}
	})
	t.Run("a reply Parley posted is not stored twice", func(t *testing.T) {
		st, ch, conv := setup(t)
		m := mustSending(t, st, conv, "Yes, in 3 days")
		res := MustIngest(t, st, accountComment(ch, "555_1004", "555_1001", "Yes, in 3 days"))[0]
		if len(res.Updated) != 1 || res.Updated[0].ID != m.ID || res.Updated[0].ExternalID != "555_1004" {
			t.Fatalf("result %+v", res)
		}
		mustRecordSent(t, st, m.ID, "555_1004")
		if n := outboundCount(t, st, conv.ID); n != 1 {
			t.Fatalf("%d outbound messages, want 1", n)
		}
	})
	t.Run("outside any ticket it is skipped", func(t *testing.T) {
		st, ch, _ := setup(t)
		res := MustIngest(t, st, accountComment(ch, "777_1", "777_1", "New post, comment below!"))[0]
		if res.Conversation != nil || res.Message != nil {
			t.Fatalf("result %+v", res)
		}
	})
}
