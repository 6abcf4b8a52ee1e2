package realtime_test

import (
	"context"
	"encoding/json"
	"sync"

	parley "github.com/parleyhq/parley"
)

// memBus is an in-process event and presence backbone shared by the hubs of
// a test: every publish reaches every subscriber, in order, on the
// subscriber's own goroutine, as a decoded copy of the JSON, the way a
// network bus delivers it. It stands in for bus/ where that is not needed.
type memBus struct {
	mu       sync.Mutex
	events   []*memSubscription
	presence []*memSubscription
}

type memSubscription struct {
	ctx   context.Context
	queue chan []byte
}

func newMemBus() *memBus { return &memBus{} }

func (b *memBus) SubscribeEvents(ctx context.Context, handle func(*parley.Event)) error {
	b.subscribe(ctx, &b.events, func(data []byte) {
		var e parley.Event
		if json.Unmarshal(data, &e) == nil {
			handle(&e)
		}
	})
	return nil
}

func (b *memBus) SubscribePresence(ctx context.Context, handle func(*parley.PresenceInfo)) error {
	b.subscribe(ctx, &b.presence, func(data []byte) {
		var p parley.PresenceInfo
		if json.Unmarshal(data, &p) == nil {
			handle(&p)
		}
	})
	return nil
}

func (b *memBus) PublishEvent(ctx context.Context, e *parley.Event) error {
	return b.publish(ctx, &b.events, e)
}

func (b *memBus) PublishPresence(ctx context.Context, p *parley.PresenceInfo) error {
	return b.publish(ctx, &b.presence, p)
}

func (b *memBus) subscribe(ctx context.Context, list *[]*memSubscription, deliver func([]byte)) {
	s := &memSubscription{ctx: ctx, queue: make(chan []byte, 1<<16)}
	b.mu.Lock()
	*list = append(*list, s)
	b.mu.Unlock()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case data := <-s.queue:
				deliver(data)
			}
		}
	}()
}

func (b *memBus) publish(ctx context.Context, list *[]*memSubscription, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.mu.Lock()
	subs := append([]*memSubscription(nil), *list...)
	b.mu.Unlock()
	for _, s := range subs {
		if s.ctx.Err() != nil {
			continue
		}
		select {
		case s.queue <- data:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
