package bus

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
)

type outboundEnvelope struct {
	MessageID int64 `json:"message_id"`
	Attempt   int   `json:"attempt"`
}

const (
	// outboundAckWait must exceed one send, rate-limiter wait included.
	outboundAckWait = 2 * time.Minute
	// outboundConcurrency is how many sends one node runs at once: sends
	// wait on platform APIs, not on CPU.
	outboundConcurrency = 16
)

// OutboundMsgID is the de-duplication id of one send attempt.
func OutboundMsgID(messageID int64, attempt int) string {
	return "out:" + strconv.FormatInt(messageID, 10) + ":" + strconv.Itoa(attempt)
}

// PublishOutbound implements parley.OutboundPublisher. Publishing the same
// (message, attempt) twice queues it once.
func (b *Bus) PublishOutbound(ctx context.Context, messageID int64, attempt int) error {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	data, _ := json.Marshal(outboundEnvelope{MessageID: messageID, Attempt: attempt})
	if _, err := b.js.Publish(ctx, b.outboundSubject(), data, jetstream.WithMsgID(OutboundMsgID(messageID, attempt))); err != nil {
		return unavailable(err, "queue outbound message %d", messageID)
	}
	return nil
}

// OutboundHandler sends one message. An error means "could not decide"
// (e.g. the database is down): the id is redelivered later with backoff.
// Send failures the handler has dealt with (requeued, failed) return nil.
type OutboundHandler func(ctx context.Context, messageID int64, attempt int) error

// ConsumeOutbound runs handle for every queued outbound id, several at a
// time, on a durable consumer shared by all nodes, until ctx is done or the
// bus closes. It returns once subscribed.
func (b *Bus) ConsumeOutbound(ctx context.Context, handle OutboundHandler) error {
	c, err := b.js.CreateOrUpdateConsumer(ctx, b.streamName(streamOutbound), jetstream.ConsumerConfig{
		Durable:       "sender",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       outboundAckWait,
		MaxAckPending: 1000,
	})
	if err != nil {
		return unavailable(err, "outbound consumer")
	}
	w := &outboundWorkers{slots: make(chan struct{}, outboundConcurrency)}
	cc, err := c.Consume(func(m jetstream.Msg) { w.dispatch(m, func() { b.handleOutbound(m, handle) }) },
		jetstream.PullMaxMessages(outboundConcurrency))
	if err != nil {
		return unavailable(err, "consume outbound")
	}
	return b.startLoop(func(context.Context) {
		ctx, cancel := b.mergeDone(ctx)
		defer cancel()
		<-ctx.Done()
		cc.Stop()
		w.stop()
	})
}

// outboundWorkers runs sends concurrently, bounded by slots, and lets stop
// wait for the sends in flight.
type outboundWorkers struct {
	slots    chan struct{}
	mu       sync.Mutex
	stopped  bool
	inflight sync.WaitGroup
}

func (w *outboundWorkers) dispatch(m jetstream.Msg, send func()) {
	w.slots <- struct{}{}
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		<-w.slots
		_ = m.Nak() // another node takes it at once
		return
	}
	w.inflight.Add(1)
	w.mu.Unlock()
	go func() {
		defer w.inflight.Done()
		defer func() { <-w.slots }()
		send()
	}()
}

func (w *outboundWorkers) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
	w.inflight.Wait()
}

func (b *Bus) handleOutbound(m jetstream.Msg, handle OutboundHandler) {
	var env outboundEnvelope
	if err := json.Unmarshal(m.Data(), &env); err != nil || env.MessageID == 0 {
		b.log.Error("undecodable outbound message dropped", "err", err)
		_ = m.Term()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), outboundAckWait)
	defer cancel()
	if err := handle(ctx, env.MessageID, env.Attempt); err != nil {
		b.log.Warn("outbound handler failed; redelivering", "message_id", env.MessageID, "err", err)
		_ = m.NakWithDelay(redeliveryDelay(m))
		return
	}
	_ = m.Ack()
}

// redeliveryDelay grows exponentially with the delivery count: 1 s, 2 s, 4 s…
// up to 5 minutes.
func redeliveryDelay(m jetstream.Msg) time.Duration {
	n := uint64(1)
	if md, err := m.Metadata(); err == nil && md.NumDelivered > 0 {
		n = md.NumDelivered
	}
	return min(time.Second<<min(n-1, 16), 5*time.Minute)
}

var _ parley.OutboundPublisher = (*Bus)(nil)
