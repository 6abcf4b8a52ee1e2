package bus_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
)

func TestEvents(t *testing.T) {
	bustest.ForEachServer(t, func(t *testing.T, open bustest.Opener) {
		a, b := open(t, bus.Config{NodeID: "a"}), open(t, bus.Config{NodeID: "b"})
		ctx := t.Context()

		t.Run("every node's subscribers see events published by any node", func(t *testing.T) {
			got := make(chan *parley.Event, 10)
			if err := b.SubscribeEvents(ctx, func(e *parley.Event) { got <- e }); err != nil {
				t.Fatal(err)
			}
			trace := time.Now().UTC().Truncate(time.Microsecond)
			sent := &parley.Event{Type: parley.EventMessageCreated, Message: &parley.Message{ID: 7, Body: "hi"}, At: trace, Trace: &trace}
			if err := a.PublishEvent(ctx, sent); err != nil {
				t.Fatal(err)
			}
			select {
			case e := <-got:
				if e.Type != sent.Type || e.Message == nil || e.Message.ID != 7 || e.Trace == nil || !e.Trace.Equal(trace) {
					t.Fatalf("received %+v, want %+v", e, sent)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("event not received")
			}
		})

		t.Run("a durable consumer gets a failed event again", func(t *testing.T) {
			var calls atomic.Int32
			done := make(chan struct{})
			err := b.ConsumeEvents(ctx, "webhooks/api", func(_ context.Context, e *parley.Event) error {
				if calls.Add(1) == 1 {
					return errors.New("receiver down")
				}
				if e.Conversation == nil || e.Conversation.ID != 3 {
					t.Errorf("redelivered %+v", e)
				}
				close(done)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.PublishEvent(ctx, &parley.Event{Type: parley.EventConversationUpdated, Conversation: &parley.Conversation{ID: 3}}); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Fatalf("event not redelivered after %d calls", calls.Load())
			}
		})

		t.Run("presence reaches other nodes", func(t *testing.T) {
			got := make(chan *parley.PresenceInfo, 1)
			if err := b.SubscribePresence(ctx, func(p *parley.PresenceInfo) { got <- p }); err != nil {
				t.Fatal(err)
			}
			if err := a.PublishPresence(ctx, &parley.PresenceInfo{AgentID: 4, ConversationID: 9, Activity: parley.ActivityTyping}); err != nil {
				t.Fatal(err)
			}
			select {
			case p := <-got:
				if p.AgentID != 4 || p.Activity != parley.ActivityTyping {
					t.Fatalf("presence %+v", p)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("presence not received")
			}
		})
	})
}

// TestFilteredEventConsumer: a durable consumer of one event type never
// sees the others (the media worker reads only message.created).
func TestFilteredEventConsumer(t *testing.T) {
	bustest.ForEachBackend(t, func(t *testing.T, open bustest.Opener) {
		b := open(t, bus.Config{NodeID: "a"})
		ctx := t.Context()
		got := make(chan parley.EventType, 10)
		err := b.ConsumeEventsOf(ctx, "media-test", []parley.EventType{parley.EventMessageCreated}, func(_ context.Context, e *parley.Event) error {
			got <- e.Type
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range []parley.EventType{parley.EventConversationUpdated, parley.EventMessageCreated} {
			if err := b.PublishEvent(ctx, &parley.Event{Type: typ, Message: &parley.Message{ID: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case typ := <-got:
			if typ != parley.EventMessageCreated {
				t.Fatalf("first event %s, want only %s", typ, parley.EventMessageCreated)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("event not received")
		}
	})
}

func TestOutbound(t *testing.T) {
	bustest.ForEachBackend(t, func(t *testing.T, open bustest.Opener) {
		b := open(t, bus.Config{})
		ctx := t.Context()
		var mu sync.Mutex
		handled := map[int64][]int{}
		fail := map[int64]bool{2: true}
		if err := b.ConsumeOutbound(ctx, func(_ context.Context, id int64, attempt int) error {
			mu.Lock()
			defer mu.Unlock()
			handled[id] = append(handled[id], attempt)
			if fail[id] {
				fail[id] = false
				return errors.New("database down")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		count := func(id int64) int {
			mu.Lock()
			defer mu.Unlock()
			return len(handled[id])
		}

		t.Run("the same attempt queued twice is handled once", func(t *testing.T) {
			for range 2 {
				if err := b.PublishOutbound(ctx, 1, 0); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.PublishOutbound(ctx, 1, 1); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "both attempts", 10*time.Second, func() bool { return count(1) >= 2 })
			time.Sleep(200 * time.Millisecond)
			if n := count(1); n != 2 {
				t.Fatalf("message 1 handled %d times, want 2 (attempts 0 and 1)", n)
			}
		})

		t.Run("a handler error redelivers the id", func(t *testing.T) {
			if err := b.PublishOutbound(ctx, 2, 0); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "redelivery", 10*time.Second, func() bool { return count(2) == 2 })
		})
	})
}
