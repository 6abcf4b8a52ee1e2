// Package pipeline moves messages between the backbone and the store:
// the inbound Processor (stream → store → domain events), the outbound
// Sender (claim → adapter → status), the Sweeper that recovers the outbox
// after crashes and retries, and the SnoozeWaker.
//
// Wiring (cmd/parley):
//
//	b.ConsumeInbound(ctx, 100, (&pipeline.Processor{Store: st, Events: b}).Handle)
//	b.ConsumeOutbound(ctx, (&pipeline.Sender{Store: st, Adapters: reg, Events: b, Outbound: b}).Handle)
//	go (&pipeline.Sweeper{Store: st, Outbound: b}).Run(ctx)
//	go (&pipeline.SnoozeWaker{Store: st, Events: b}).Run(ctx)
package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// eventBatcher is implemented by publishers that can publish many events in
// one round trip (bus.Bus does).
type eventBatcher interface {
	PublishEvents(ctx context.Context, events []*parley.Event) error
}

// publishEvents publishes events, retrying briefly. The data they describe
// is already committed, so a failure is logged, not returned: live screens
// miss an update and catch up when they refetch.
func publishEvents(ctx context.Context, pub parley.EventPublisher, log *slog.Logger, events []*parley.Event) {
	if len(events) == 0 || pub == nil {
		return
	}
	var err error
	for try := range 3 {
		if try > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(try) * 100 * time.Millisecond):
			}
		}
		if err = publishOnce(ctx, pub, events); err == nil {
			return
		}
	}
	log.Error("domain events not published", "count", len(events), "err", err)
}

func publishOnce(ctx context.Context, pub parley.EventPublisher, events []*parley.Event) error {
	if b, ok := pub.(eventBatcher); ok {
		return b.PublishEvents(ctx, events)
	}
	for _, e := range events {
		if err := pub.PublishEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func clockOrSystem(c parley.Clock) parley.Clock {
	if c == nil {
		return parley.SystemClock{}
	}
	return c
}

func loggerOrDefault(l *slog.Logger, component string) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return l.With("component", component)
}

// every runs fn now and then every interval until ctx is done.
func every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
