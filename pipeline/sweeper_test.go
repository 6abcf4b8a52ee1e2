package pipeline_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/pipeline"
)

func TestSweeper(t *testing.T) {
	t.Run("a message left in sending by a crashed sender is sent after the lease", func(t *testing.T) {
		e := newOutboundEnv(t, openBus(t))
		m := MustQueueReply(t, e.st, e.conv, "interrupted")
		if ok, err := e.st.ClaimMessage(t.Context(), m.ID); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		sweeper := &pipeline.Sweeper{Store: e.st, Outbound: e.bus, Lease: time.Minute}

		sweeper.Clock = fixedClock{time.Now()}
		if n, err := sweeper.Sweep(t.Context()); err != nil || n != 0 {
			t.Fatalf("within the lease the sweeper republished %d (err %v), want 0", n, err)
		}
		sweeper.Clock = fixedClock{time.Now().Add(2 * time.Minute)}
		if n, err := sweeper.Sweep(t.Context()); err != nil || n != 1 {
			t.Fatalf("after the lease the sweeper republished %d (err %v), want 1", n, err)
		}
		got := e.waitStatus(t, m.ID, parley.MessageSent)
		if got.Attempts != 2 || len(e.adapter.sendsOf(m.ID)) != 1 {
			t.Errorf("attempts %d, sends %d: want the second claim to send once", got.Attempts, len(e.adapter.sendsOf(m.ID)))
		}
	})

	t.Run("a queued message whose publish was lost is sent once, however often it is swept", func(t *testing.T) {
		e := newOutboundEnv(t, openBus(t))
		m := MustQueueReply(t, e.st, e.conv, "never published")
		sweeper := &pipeline.Sweeper{Store: e.st, Outbound: e.bus}
		for range 3 {
			if _, err := sweeper.Sweep(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		e.waitStatus(t, m.ID, parley.MessageSent)
		time.Sleep(200 * time.Millisecond)
		if n := len(e.adapter.sendsOf(m.ID)); n != 1 {
			t.Fatalf("sent %d times, want 1", n)
		}
	})

	t.Run("a held message is not swept", func(t *testing.T) {
		e := newOutboundEnv(t, openBus(t))
		m := MustQueueReply(t, e.st, e.conv, "held")
		if _, err := e.st.ClaimMessage(t.Context(), m.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.st.RequeueMessage(t.Context(), m.ID, time.Now().Add(pipeline.DefaultHold), "channel disconnected"); err != nil {
			t.Fatal(err)
		}
		if n, err := (&pipeline.Sweeper{Store: e.st, Outbound: e.bus}).Sweep(t.Context()); err != nil || n != 0 {
			t.Fatalf("swept %d (err %v), want 0", n, err)
		}
	})
}

func TestSnoozeWaker(t *testing.T) {
	t.Run("a snoozed ticket wakes when its time comes and is announced", func(t *testing.T) {
		st := MustOpenStore(t)
		b := openBus(t)
		events := MustSubscribe(t, b)
		conv := MustConversation(t, st, MustCreateChannel(t, st), "cust-1")
		snoozed, until := parley.StatusSnoozed, time.Now().Add(time.Hour)
		if _, err := st.UpdateConversation(t.Context(), conv.ID, parley.ConversationUpdate{Version: conv.Version, Status: &snoozed, SnoozedUntil: &until}); err != nil {
			t.Fatal(err)
		}
		waker := &pipeline.SnoozeWaker{Store: st, Events: b, Clock: fixedClock{time.Now()}}
		if woken, err := waker.Wake(t.Context()); err != nil || len(woken) != 0 {
			t.Fatalf("woke %d before its time (err %v)", len(woken), err)
		}
		waker.Clock = fixedClock{until.Add(time.Second)}
		woken, err := waker.Wake(t.Context())
		if err != nil || len(woken) != 1 || woken[0].Status != parley.StatusOpen {
			t.Fatalf("woke %+v (err %v), want the ticket open", woken, err)
		}
		waitFor(t, "conversation.updated", func() bool {
			for _, e := range events.ofType(parley.EventConversationUpdated) {
				if e.Conversation.ID == conv.ID {
					return true
				}
			}
			return false
		})
	})
}
