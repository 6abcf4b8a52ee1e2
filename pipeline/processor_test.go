package pipeline_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/pipeline"
)

// failingIngest fails the first n batches, then stores through the real store.
type failingIngest struct {
	parley.IngestService
	failures atomic.Int32
}

func (f *failingIngest) Ingest(ctx context.Context, events []*parley.InboundEvent) ([]parley.IngestResult, error) {
	if f.failures.Add(-1) >= 0 {
		return nil, errors.New("database is locked")
	}
	return f.IngestService.Ingest(ctx, events)
}

func TestProcessor(t *testing.T) {
	bustest.ForEachBackend(t, func(t *testing.T, open bustest.Opener) {
		ctx := t.Context()
		st := MustOpenStore(t)
		ch := MustCreateChannel(t, st)
		b := open(t, bus.Config{Partitions: 4})
		events := MustSubscribe(t, b)
		ingest := &failingIngest{IngestService: st}
		ingest.failures.Store(1)
		proc := &pipeline.Processor{Store: ingest, Events: b}
		if err := b.ConsumeInbound(ctx, 50, proc.Handle); err != nil {
			t.Fatal(err)
		}
		stored := counterValue(t, metrics.InboundProcessed.WithLabelValues("api", "stored"))

		t.Run("a failed batch is redelivered and every message stored once, announced once", func(t *testing.T) {
			received := time.Now().UTC().Truncate(time.Millisecond)
			for _, customer := range []string{"ana", "bo"} {
				var batch []*parley.InboundEvent
				for i := range 5 {
					batch = append(batch, inboundText(ch, customer, i))
				}
				if err := b.PublishInbound(ctx, batch, nil, received); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, "ten message.created events", func() bool { return len(events.ofType(parley.EventMessageCreated)) >= 10 })
			if got := len(events.ofType(parley.EventConversationCreated)); got != 2 {
				t.Errorf("%d conversation.created events, want 2", got)
			}
			for _, e := range events.ofType(parley.EventMessageCreated) {
				if e.Message == nil || e.Conversation == nil || e.Conversation.Contact == nil {
					t.Fatalf("message.created without message, conversation or contact: %+v", e)
				}
				if e.Trace == nil || !e.Trace.Equal(received) {
					t.Errorf("trace %v, want the webhook's receipt %v", e.Trace, received)
				}
			}
			if got := counterValue(t, metrics.InboundProcessed.WithLabelValues("api", "stored")) - stored; got != 10 {
				t.Errorf("processed metric grew by %v, want 10", got)
			}
			conv := events.ofType(parley.EventConversationCreated)[0].Conversation
			msgs, _, err := st.FindMessages(ctx, parley.MessageFilter{ConversationID: conv.ID})
			if err != nil || len(msgs) != 5 {
				t.Fatalf("conversation %d has %d messages (err %v), want 5", conv.ID, len(msgs), err)
			}
		})

		t.Run("a redelivered batch announces nothing", func(t *testing.T) {
			before := len(events.ofType(parley.EventMessageCreated))
			err := proc.Handle(ctx, []bus.InboundDelivery{{Event: inboundText(ch, "ana", 0), ReceivedAt: time.Now()}})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			if got := len(events.ofType(parley.EventMessageCreated)); got != before {
				t.Fatalf("duplicate announced: %d message.created events, had %d", got, before)
			}
		})

		t.Run("a receipt announces the updated message", func(t *testing.T) {
			conv := MustConversation(t, st, ch, "cy")
			reply := MustQueueReply(t, st, conv, "hi")
			if _, err := st.ClaimMessage(ctx, reply.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: reply.ID, Status: parley.MessageSent, ExternalID: "out-1"}); err != nil {
				t.Fatal(err)
			}
			receipt := &parley.InboundEvent{Kind: parley.InboundReceipt, ChannelID: ch.ID, Platform: ch.Platform,
				Sender: parley.Sender{Kind: parley.IdentityExternal, ID: "cy"}, Targets: []string{"out-1"},
				Status: parley.MessageRead, Timestamp: time.Now()}
			if err := b.PublishInbound(ctx, []*parley.InboundEvent{receipt}, []byte("receipt"), time.Now()); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "message.updated", func() bool {
				for _, e := range events.ofType(parley.EventMessageUpdated) {
					if e.Message.ID == reply.ID && e.Message.Status == parley.MessageRead {
						return true
					}
				}
				return false
			})
		})
	})
}
