package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/metrics"
)

// Processor stores inbound batches and announces what changed. Its Handle
// is a bus.InboundHandler: one Ingest (one transaction) per batch, events
// after the commit, and an error (so the batch is redelivered) if the
// store fails. Redelivery is harmless: stored events come back as
// duplicates and announce nothing.
type Processor struct {
	Store  parley.IngestService
	Events parley.EventPublisher
	Clock  parley.Clock
	Logger *slog.Logger
}

// Handle stores one batch.
func (p *Processor) Handle(ctx context.Context, batch []bus.InboundDelivery) error {
	events := make([]*parley.InboundEvent, len(batch))
	for i, d := range batch {
		events[i] = d.Event
	}
	results, err := p.Store.Ingest(ctx, events)
	if err != nil {
		return err
	}
	if len(results) != len(batch) {
		return parley.Errorf(parley.EINTERNAL, "ingest returned %d results for %d events", len(results), len(batch))
	}
	now := clockOrSystem(p.Clock).Now()
	var out []*parley.Event
	for i, r := range results {
		record(batch[i], r, now)
		if !r.Duplicate {
			out = append(out, announce(batch[i], r, now)...)
		}
	}
	publishEvents(ctx, p.Events, loggerOrDefault(p.Logger, "processor"), out)
	return nil
}

func record(d bus.InboundDelivery, r parley.IngestResult, now time.Time) {
	outcome := "stored"
	if r.Duplicate {
		outcome = "duplicate"
	} else if !d.ReceivedAt.IsZero() {
		metrics.QueueLag.Observe(now.Sub(d.ReceivedAt).Seconds())
	}
	metrics.InboundProcessed.WithLabelValues(string(d.Event.Platform), outcome).Inc()
}

// announce turns one ingest result into domain events: the new ticket, the
// new (or edited) message with its ticket and contact, and receipts.
func announce(d bus.InboundDelivery, r parley.IngestResult, now time.Time) []*parley.Event {
	trace := d.ReceivedAt
	event := func(t parley.EventType) *parley.Event {
		return &parley.Event{Type: t, Conversation: r.Conversation, Contact: r.Contact, At: now, Trace: &trace}
	}
	if r.Conversation != nil && r.Conversation.Contact == nil && r.Contact != nil {
		conv := *r.Conversation
		conv.Contact = r.Contact
		r.Conversation = &conv
	}
	var out []*parley.Event
	if r.ConversationCreated {
		out = append(out, event(parley.EventConversationCreated))
	}
	if r.Message != nil {
		t := parley.EventMessageCreated
		if d.Event.Kind == parley.InboundEdit || d.Event.Kind == parley.InboundDelete {
			t = parley.EventMessageUpdated
		}
		e := event(t)
		e.Message = r.Message
		out = append(out, e)
	}
	for _, m := range r.Updated {
		e := event(parley.EventMessageUpdated)
		e.Message = m
		out = append(out, e)
	}
	return out
}
