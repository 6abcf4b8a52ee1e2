package bus

import (
	"context"
	"encoding/json"
	"regexp"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
)

// PublishEvent implements parley.EventPublisher: the event is stored on the
// EVENTS stream under "<prefix>.events.<contact key>.<type>" (eventSubject).
func (b *Bus) PublishEvent(ctx context.Context, e *parley.Event) error {
	return b.PublishEvents(ctx, []*parley.Event{e})
}

// PublishEvents publishes several events at once, asynchronously, and
// returns when all are stored: the inbound processor's fast path.
func (b *Bus) PublishEvents(ctx context.Context, events []*parley.Event) error {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	futures := make([]jetstream.PubAckFuture, 0, len(events))
	for _, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			return parley.WrapError(parley.EINTERNAL, err, "encode event %s", e.Type)
		}
		f, err := b.js.PublishAsync(b.eventSubject(e), data)
		if err != nil {
			return unavailable(err, "publish event %s", e.Type)
		}
		futures = append(futures, f)
	}
	return awaitAcks(ctx, futures)
}

// SubscribeEvents implements parley.EventSubscriber with an ephemeral
// ordered consumer that starts at new events.
func (b *Bus) SubscribeEvents(ctx context.Context, handle func(*parley.Event)) error {
	c, err := b.js.OrderedConsumer(ctx, b.streamName(streamEvents), jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return unavailable(err, "subscribe to events")
	}
	cc, err := c.Consume(func(m jetstream.Msg) {
		var e parley.Event
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			b.log.Error("undecodable event skipped", "subject", m.Subject(), "err", err)
			return
		}
		handle(&e)
	})
	if err != nil {
		return unavailable(err, "consume events")
	}
	return b.stopWhenDone(ctx, cc)
}

var durableName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// ConsumeEvents implements parley.EventConsumer: a durable consumer (created
// at the newest event, then resuming where it stopped) whose failed events
// come back with exponential backoff.
func (b *Bus) ConsumeEvents(ctx context.Context, durable string, handle func(context.Context, *parley.Event) error) error {
	return b.ConsumeEventsOf(ctx, durable, nil, handle)
}

// ConsumeEventsOf is ConsumeEvents for the given event types only (all
// when none): the stream filters the others out, so a consumer that cares
// about one kind of event does not decode every event of a busy node.
func (b *Bus) ConsumeEventsOf(ctx context.Context, durable string, types []parley.EventType, handle func(context.Context, *parley.Event) error) error {
	cfg := jetstream.ConsumerConfig{
		Durable:       "events-" + durableName.ReplaceAllString(durable, "_"),
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverNewPolicy,
		AckWait:       outboundAckWait,
	}
	switch len(types) {
	case 0:
	case 1: // one subject works on servers before 2.10 too
		cfg.FilterSubject = b.eventTypeSubject("*", string(types[0]))
	default:
		for _, t := range types {
			cfg.FilterSubjects = append(cfg.FilterSubjects, b.eventTypeSubject("*", string(t)))
		}
	}
	c, err := b.js.CreateOrUpdateConsumer(ctx, b.streamName(streamEvents), cfg)
	if err != nil {
		return unavailable(err, "durable event consumer %s", durable)
	}
	cc, err := c.Consume(func(m jetstream.Msg) {
		var e parley.Event
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			b.log.Error("undecodable event dropped", "durable", durable, "err", err)
			_ = m.Term()
			return
		}
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), outboundAckWait)
		defer cancel()
		if err := handle(hctx, &e); err != nil {
			_ = m.NakWithDelay(redeliveryDelay(m))
			return
		}
		_ = m.Ack()
	})
	if err != nil {
		return unavailable(err, "consume events")
	}
	return b.stopWhenDone(ctx, cc)
}

// stopWhenDone stops cc when ctx is done or the bus closes.
func (b *Bus) stopWhenDone(ctx context.Context, cc jetstream.ConsumeContext) error {
	return b.startLoop(func(context.Context) {
		ctx, cancel := b.mergeDone(ctx)
		defer cancel()
		<-ctx.Done()
		cc.Drain()
		<-cc.Closed()
	})
}

var (
	_ parley.EventPublisher   = (*Bus)(nil)
	_ parley.EventSubscriber  = (*Bus)(nil)
	_ parley.EventConsumer    = (*Bus)(nil)
	_ parley.InboundPublisher = (*Bus)(nil)
	_ parley.PresenceBus      = (*Bus)(nil)
)
