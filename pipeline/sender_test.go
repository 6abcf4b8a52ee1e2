package pipeline_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/pipeline"
	"github.com/parleyhq/parley/store"
)

// outboundEnv is a store, a bus and a sender consuming OUTBOUND.
type outboundEnv struct {
	st      *store.Store
	bus     *bus.Bus
	ch      *parley.Channel
	conv    *parley.Conversation
	adapter *scriptedAdapter
	sender  *pipeline.Sender
	events  *eventLog
}

func newOutboundEnv(t *testing.T, b *bus.Bus, script ...step) *outboundEnv {
	t.Helper()
	e := &outboundEnv{st: MustOpenStore(t), bus: b, adapter: &scriptedAdapter{script: script}}
	e.ch = MustCreateChannel(t, e.st)
	e.conv = MustConversation(t, e.st, e.ch, "cust-1")
	e.events = MustSubscribe(t, b)
	e.sender = &pipeline.Sender{Store: e.st, Adapters: registry(e.adapter), Events: b, Outbound: b,
		BaseBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	if err := b.ConsumeOutbound(t.Context(), e.sender.Handle); err != nil {
		t.Fatal(err)
	}
	return e
}

// queue stores a reply and publishes it as the API would.
func (e *outboundEnv) queue(t *testing.T, body string) *parley.Message {
	t.Helper()
	m := MustQueueReply(t, e.st, e.conv, body)
	if err := e.bus.PublishOutbound(t.Context(), m.ID, m.Attempts); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *outboundEnv) waitStatus(t *testing.T, id int64, want parley.MessageStatus) *parley.Message {
	t.Helper()
	var m *parley.Message
	waitFor(t, "message status "+string(want), func() bool {
		m = MustMessage(t, e.st, id)
		return m.Status == want
	})
	return m
}

func transient(reason string) step {
	return step{err: &parley.SendError{Class: parley.SendTransient, Code: "500", Reason: reason}}
}

func TestSenderSends(t *testing.T) {
	bustest.ForEachBackend(t, func(t *testing.T, open bustest.Opener) {
		e := newOutboundEnv(t, open(t, bus.Config{}))
		sentBefore := counterValue(t, metrics.OutboundSent.WithLabelValues("api"))
		m := e.queue(t, "hello")
		got := e.waitStatus(t, m.ID, parley.MessageSent)
		if got.ExternalID == "" || got.Attempts != 1 {
			t.Errorf("sent message %+v: want a platform id and one attempt", got)
		}
		sends := e.adapter.sendsOf(m.ID)
		if len(sends) != 1 || sends[0].recipient != "cust-1" {
			t.Errorf("sends %+v, want one to cust-1", sends)
		}
		waitFor(t, "message.updated", func() bool {
			for _, ev := range e.events.ofType(parley.EventMessageUpdated) {
				if ev.Message.ID == m.ID && ev.Message.Status == parley.MessageSent && ev.Conversation != nil {
					return true
				}
			}
			return false
		})
		if n := counterValue(t, metrics.OutboundSent.WithLabelValues("api")) - sentBefore; n != 1 {
			t.Errorf("sent metric grew by %v, want 1", n)
		}
	})
}

func TestSendersRacing(t *testing.T) {
	bustest.ForEachServer(t, func(t *testing.T, open bustest.Opener) {
		t.Run("two nodes consuming duplicate publishes send each message exactly once", func(t *testing.T) {
			st := MustOpenStore(t)
			conv := MustConversation(t, st, MustCreateChannel(t, st), "cust-1")
			adapter := &scriptedAdapter{}
			nodes := []*bus.Bus{open(t, bus.Config{NodeID: "a"}), open(t, bus.Config{NodeID: "b"})}
			for _, b := range nodes {
				s := &pipeline.Sender{Store: st, Adapters: registry(adapter), Events: b, Outbound: b}
				if err := b.ConsumeOutbound(t.Context(), s.Handle); err != nil {
					t.Fatal(err)
				}
			}
			var ids []int64
			for i := range 20 {
				id := MustQueueReply(t, st, conv, "x").ID
				ids = append(ids, id)
				// The API's publish and a sweeper's republish of a later attempt.
				for attempt := range 2 {
					if err := nodes[(i+attempt)%2].PublishOutbound(t.Context(), id, attempt); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, id := range ids {
				waitFor(t, "sent", func() bool { return MustMessage(t, st, id).Status == parley.MessageSent })
			}
			time.Sleep(300 * time.Millisecond) // let the duplicate deliveries finish
			for _, id := range ids {
				if n := len(adapter.sendsOf(id)); n != 1 {
					t.Errorf("message %d sent %d times", id, n)
				}
			}
		})
	})
	t.Run("two senders handling the same messages send each exactly once", func(t *testing.T) {
		st := MustOpenStore(t)
		ch := MustCreateChannel(t, st)
		conv := MustConversation(t, st, ch, "cust-1")
		adapter := &scriptedAdapter{}
		senders := []*pipeline.Sender{
			{Store: st, Adapters: registry(adapter)},
			{Store: st, Adapters: registry(adapter)},
		}
		var ids []int64
		for range 20 {
			ids = append(ids, MustQueueReply(t, st, conv, "x").ID)
		}
		var wg sync.WaitGroup
		for _, s := range senders {
			for _, id := range ids {
				wg.Go(func() {
					if err := s.Handle(context.Background(), id, 0); err != nil {
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
		for _, id := range ids {
			if n := len(adapter.sendsOf(id)); n != 1 {
				t.Errorf("message %d sent %d times", id, n)
			}
			if m := MustMessage(t, st, id); m.Status != parley.MessageSent {
				t.Errorf("message %d is %s", id, m.Status)
			}
		}
	})
}

func TestSenderFailures(t *testing.T) {
	t.Run("transient failures are retried with backoff until sent", func(t *testing.T) {
		e := newOutboundEnv(t, openBus(t), transient("bad gateway"), transient("bad gateway"))
		before := counterValue(t, metrics.SendFailures.WithLabelValues("api", "transient"))
		m := e.queue(t, "retry me")
		got := e.waitStatus(t, m.ID, parley.MessageSent)
		if got.Attempts != 3 || len(e.adapter.sendsOf(m.ID)) != 3 {
			t.Errorf("attempts %d, sends %d, want 3", got.Attempts, len(e.adapter.sendsOf(m.ID)))
		}
		if n := counterValue(t, metrics.SendFailures.WithLabelValues("api", "transient")) - before; n != 2 {
			t.Errorf("transient failures metric grew by %v, want 2", n)
		}
	})

	t.Run("a rate-limited send waits as long as the platform asks", func(t *testing.T) {
		wait := 400 * time.Millisecond
		e := newOutboundEnv(t, openBus(t), step{err: &parley.SendError{Class: parley.SendRateLimited, Code: "429", Reason: "slow down", RetryAfter: wait}})
		m := e.queue(t, "later")
		e.waitStatus(t, m.ID, parley.MessageSent)
		sends := e.adapter.sendsOf(m.ID)
		if len(sends) != 2 || sends[1].at.Sub(sends[0].at) < wait {
			t.Fatalf("sends %+v: want the retry at least %v after the 429", sends, wait)
		}
	})

	t.Run("a permanent failure fails the message with the platform's reason", func(t *testing.T) {
		e := newOutboundEnv(t, openBus(t), step{err: &parley.SendError{Class: parley.SendPermanent, Code: "131047", Reason: "more than 24 hours have passed"}})
		m := e.queue(t, "too late")
		got := e.waitStatus(t, m.ID, parley.MessageFailed)
		if got.FailureCode != "131047" || got.FailureReason != "more than 24 hours have passed" || len(e.adapter.sendsOf(m.ID)) != 1 {
			t.Errorf("failed message %+v, %d sends", got, len(e.adapter.sendsOf(m.ID)))
		}
	})

	t.Run("transient failures fail the message after the attempt limit", func(t *testing.T) {
		e := newOutboundEnv(t, openBus(t), transient("down 1"), transient("down 2"), transient("down 3"), transient("down 4"))
		e.sender.MaxAttempts = 3
		m := e.queue(t, "never")
		got := e.waitStatus(t, m.ID, parley.MessageFailed)
		if got.Attempts != 3 || got.FailureReason != "down 3" {
			t.Errorf("failed message %+v: want 3 attempts and the last reason", got)
		}
	})

	t.Run("an auth error disconnects the channel and holds its messages", func(t *testing.T) {
		e := newOutboundEnv(t, openBus(t), step{err: &parley.SendError{Class: parley.SendAuth, Code: "190", Reason: "token expired"}})
		m := e.queue(t, "held")
		waitFor(t, "channel disconnected", func() bool {
			ch, err := e.st.FindChannelByID(t.Context(), e.ch.ID)
			return err == nil && ch.Status == parley.ChannelDisconnected && ch.StatusReason == "token expired"
		})
		held := e.waitStatus(t, m.ID, parley.MessageQueued)
		if held.NextAttemptAt == nil || held.NextAttemptAt.Before(time.Now().Add(300*24*time.Hour)) {
			t.Errorf("held message retries at %v, want far in the future", held.NextAttemptAt)
		}
		waitFor(t, "channel.updated", func() bool { return len(e.events.ofType(parley.EventChannelUpdated)) > 0 })

		next := e.queue(t, "also held")
		waitFor(t, "second message held", func() bool {
			got := MustMessage(t, e.st, next.ID)
			return got.Status == parley.MessageQueued && got.NextAttemptAt.After(time.Now().Add(time.Hour))
		})
		if n := len(e.adapter.sendsOf(next.ID)); n != 0 {
			t.Errorf("sent %d times through a disconnected channel", n)
		}
	})
}
