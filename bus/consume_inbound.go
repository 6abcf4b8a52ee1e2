package bus

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
)

// InboundDelivery is one inbound event handed to the processor.
type InboundDelivery struct {
	Event      *parley.InboundEvent
	ReceivedAt time.Time // when the webhook arrived
	Partition  int
	Delivered  uint64 // 1 on first delivery, more after a nak or a crash
}

// InboundHandler stores one batch; nil acknowledges it, an error has it
// redelivered (in order) after a backoff.
type InboundHandler func(ctx context.Context, batch []InboundDelivery) error

const (
	// inboundFetchWait bounds one pull request; it is also how quickly a
	// worker notices it should stop.
	inboundFetchWait = 500 * time.Millisecond
	// inboundAckWait must exceed the time a batch takes to store.
	inboundAckWait  = time.Minute
	maxRetryBackoff = 30 * time.Second
)

// ConsumeInbound processes the INBOUND stream in batches of up to batchSize
// until ctx is done or the bus closes. Each partition has one durable pull
// consumer whose MaxAckPending is batchSize, and a lease gives each partition
// to one node at a time, so one sender's events are handled strictly in order
// across all nodes. A batch is acknowledged only after handle returns nil.
// It returns once the consumers exist.
func (b *Bus) ConsumeInbound(ctx context.Context, batchSize int, handle InboundHandler) error {
	if batchSize <= 0 {
		batchSize = 100
	}
	consumers := make([]jetstream.Consumer, b.cfg.Partitions)
	for p := range consumers {
		c, err := b.js.CreateOrUpdateConsumer(ctx, b.streamName(streamInbound), jetstream.ConsumerConfig{
			Durable:       "inbound-" + strconv.Itoa(p),
			FilterSubject: b.inboundSubject(p),
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       b.cfg.InboundAckWait,
			MaxAckPending: batchSize,
			DeliverPolicy: jetstream.DeliverAllPolicy,
		})
		if err != nil {
			return unavailable(err, "inbound consumer %d", p)
		}
		consumers[p] = c
	}
	kv, err := b.js.KeyValue(ctx, b.leaseBucketName())
	if err != nil {
		return unavailable(err, "lease bucket")
	}
	l := &leases{kv: kv, instance: b.instance, total: b.cfg.Partitions, owned: map[int]uint64{}}
	co := &coordinator{b: b, leases: l, consumers: consumers, batchSize: batchSize, handle: handle, workers: map[int]*worker{}}
	return b.startLoop(func(context.Context) {
		ctx, cancel := b.mergeDone(ctx)
		defer cancel()
		co.run(ctx)
	})
}

// coordinator keeps this node's share of partition leases and runs one
// worker per partition it holds.
type coordinator struct {
	b         *Bus
	leases    *leases
	consumers []jetstream.Consumer
	batchSize int
	handle    InboundHandler
	workers   map[int]*worker
}

type worker struct {
	cancel context.CancelFunc
	done   chan struct{}
	// validUntil (unix nanoseconds) is when this node stops trusting its
	// lease: the worker starts no pull request after it. See fence.
	validUntil atomic.Int64
}

// fence is how long after the start of a successful lease write the worker
// may still start a pull request. The lease expires on the server TTL after
// the write landed; the last pull request must be over by then, or a node
// that takes the partition over could be handed newer events while this one
// still receives older ones: the reorder seen as a rare failover test
// failure under load, when renewals ran late. So trust ends a quarter TTL
// plus one pull request early.
func (co *coordinator) fence(writeStart time.Time) int64 {
	return writeStart.Add(co.b.cfg.LeaseTTL - co.b.cfg.LeaseTTL/4 - inboundFetchWait).UnixNano()
}

func (co *coordinator) run(ctx context.Context) {
	tick := time.NewTicker(co.b.cfg.LeaseTTL / 4)
	defer tick.Stop()
	for {
		co.rebalance(ctx)
		select {
		case <-ctx.Done():
			co.shutdown()
			return
		case <-tick.C:
		}
	}
}

func (co *coordinator) rebalance(ctx context.Context) {
	start := time.Now()
	opCtx, cancel := context.WithTimeout(ctx, co.b.cfg.LeaseTTL/4)
	defer cancel()
	co.b.reportQueueDepth(opCtx)
	nodes, err := co.leases.heartbeat(opCtx)
	if err != nil {
		co.b.log.Warn("partition lease heartbeat", "err", err)
		return
	}
	for p, w := range co.workers {
		if !co.leases.renew(opCtx, p) {
			co.b.log.Warn("inbound partition lease lost", "partition", p)
			co.stopWorker(p)
			continue
		}
		w.validUntil.Store(co.fence(start))
	}
	fair := co.leases.fairShare(nodes)
	for p := range co.workers {
		if len(co.workers) <= fair {
			break
		}
		co.stopWorker(p)
		co.leases.release(opCtx, p)
	}
	for _, p := range co.leases.candidates() {
		if len(co.workers) >= fair {
			break
		}
		if _, held := co.workers[p]; held {
			continue
		}
		if acquired, clean := co.leases.tryAcquire(opCtx, p); acquired {
			co.startWorker(ctx, p, clean, co.fence(start))
		}
	}
}

func (co *coordinator) startWorker(ctx context.Context, p int, clean bool, validUntil int64) {
	ctx, cancel := context.WithCancel(ctx)
	w := &worker{cancel: cancel, done: make(chan struct{})}
	w.validUntil.Store(validUntil)
	co.workers[p] = w
	co.b.log.Debug("inbound partition acquired", "partition", p)
	go func() {
		defer close(w.done)
		pw := &partitionWorker{b: co.b, partition: p, consumer: co.consumers[p], batchSize: co.batchSize, handle: co.handle, validUntil: &w.validUntil}
		if !clean {
			pw.sortNextFetch = pw.awaitOrphans(ctx)
		}
		pw.run(ctx)
	}()
}

// stopWorker waits for the worker's in-flight batch to finish.
func (co *coordinator) stopWorker(p int) {
	w := co.workers[p]
	delete(co.workers, p)
	w.cancel()
	<-w.done
}

func (co *coordinator) shutdown() {
	for p := range co.workers {
		co.stopWorker(p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	co.leases.leave(ctx)
}

// partitionWorker pulls one partition and hands it to the handler in order.
type partitionWorker struct {
	b         *Bus
	partition int
	consumer  jetstream.Consumer
	batchSize int
	handle    InboundHandler
	backoff   time.Duration
	// validUntil is the worker's lease fence (unix nanoseconds).
	validUntil *atomic.Int64
	// sortNextFetch makes the next pull request be handled whole, in
	// stream order: it brings the orphans of a crashed holder, and the
	// server redelivers those in the order they became due, not in stream
	// order. A message it sent to the crashed holder's pull request after
	// the connection dropped is queued for redelivery at once, ahead of
	// that holder's older in-flight batch, queued only when its ack wait
	// ends.
	sortNextFetch bool
}

// awaitOrphans waits out the ack timeout if events are still in flight to a
// holder that vanished (crashed, or lost its connection): fetching now would
// hand out newer events before them. Once due they are redelivered first.
//
// The wait runs from the takeover plus one pull request: the previous holder
// started its last pull request before its fence, so everything it received
// was delivered before the lease could be taken, and the server's ack timer
// gets some slack. When the consumer's state cannot be read the wait is
// taken all the same: skipping it is what can reorder. It reports whether
// it waited.
func (w *partitionWorker) awaitOrphans(ctx context.Context) bool {
	infoCtx, cancel := context.WithTimeout(ctx, w.b.cfg.InboundAckWait)
	info, err := w.consumer.Info(infoCtx)
	cancel()
	if err == nil && info.NumAckPending == 0 {
		return false
	}
	wait := w.b.cfg.InboundAckWait + inboundFetchWait
	w.b.log.Info("inbound partition taken over with events possibly in flight; waiting for their redelivery",
		"partition", w.partition, "wait", wait, "info_err", err)
	select {
	case <-ctx.Done():
	case <-time.After(wait):
	}
	return true
}

func (w *partitionWorker) run(ctx context.Context) {
	for ctx.Err() == nil {
		if time.Now().UnixNano() >= w.validUntil.Load() {
			// The lease may have expired: fetch nothing until the
			// coordinator renews it (or stops this worker).
			w.pause(ctx)
			continue
		}
		fetch, err := w.consumer.Fetch(w.batchSize, jetstream.FetchMaxWait(inboundFetchWait))
		if err != nil {
			w.b.log.Warn("inbound fetch", "partition", w.partition, "err", err)
			w.sleep(ctx)
			continue
		}
		drain := w.drain
		if w.sortNextFetch {
			drain = w.drainSorted
		}
		if drain(ctx, fetch) {
			w.sleep(ctx)
		} else {
			w.backoff = 0
		}
	}
}

// drain handles one pull request's messages as they arrive, in chunks of
// what is already buffered. After a failure (or when stopping) it holds the
// rest back and naks everything once the pull request is over, in stream
// order: a nak while the request is open would be redelivered into it,
// behind newer messages. It reports a failure.
func (w *partitionWorker) drain(ctx context.Context, fetch jetstream.MessageBatch) (failed bool) {
	var held []jetstream.Msg
	msgs := fetch.Messages()
	for first := range msgs {
		if failed || ctx.Err() != nil {
			held = append(held, first)
			continue
		}
		chunk := collect(first, msgs, w.batchSize)
		if err := w.process(chunk); err != nil {
			w.b.log.Warn("inbound batch failed; redelivering", "partition", w.partition, "size", len(chunk), "err", err)
			held = append(held, chunk...)
			failed = true
		}
	}
	if err := fetch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) {
		w.b.log.Debug("inbound fetch ended", "partition", w.partition, "err", err)
	}
	nakInOrder(held)
	return failed
}

// drainSorted waits for the whole pull request and handles it as one batch
// in stream order. MaxAckPending is the batch size, so every orphan fits in
// one pull request, and the server serves redeliveries first. An empty pull
// request leaves the next one sorted too. It reports a failure.
func (w *partitionWorker) drainSorted(ctx context.Context, fetch jetstream.MessageBatch) (failed bool) {
	var msgs []jetstream.Msg
	for m := range fetch.Messages() {
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return false
	}
	w.sortNextFetch = false
	slices.SortStableFunc(msgs, func(a, b jetstream.Msg) int { return cmp.Compare(streamSeq(a), streamSeq(b)) })
	if ctx.Err() != nil {
		nakInOrder(msgs)
		return false
	}
	if err := w.process(msgs); err != nil {
		w.b.log.Warn("inbound batch failed; redelivering", "partition", w.partition, "size", len(msgs), "err", err)
		nakInOrder(msgs)
		return true
	}
	return false
}

// collect takes first plus whatever else is already waiting, up to n.
func collect(first jetstream.Msg, msgs <-chan jetstream.Msg, n int) []jetstream.Msg {
	chunk := []jetstream.Msg{first}
	for len(chunk) < n {
		select {
		case m, ok := <-msgs:
			if !ok {
				return chunk
			}
			chunk = append(chunk, m)
		default:
			return chunk
		}
	}
	return chunk
}

// process decodes and handles a chunk, acknowledging it on success. The
// handler's context survives Close, so an in-flight batch finishes.
func (w *partitionWorker) process(chunk []jetstream.Msg) error {
	deliveries := make([]InboundDelivery, 0, len(chunk))
	kept := chunk[:0:0]
	for _, m := range chunk {
		d, err := decodeInbound(m, w.partition)
		if err != nil {
			w.b.log.Error("undecodable inbound message dropped", "partition", w.partition, "err", err)
			_ = m.Term()
			continue
		}
		deliveries = append(deliveries, d)
		kept = append(kept, m)
	}
	if len(deliveries) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.b.cfg.InboundAckWait)
	defer cancel()
	if err := w.handle(ctx, deliveries); err != nil {
		return err
	}
	return ackAll(ctx, kept)
}

func decodeInbound(m jetstream.Msg, partition int) (InboundDelivery, error) {
	var env inboundEnvelope
	if err := json.Unmarshal(m.Data(), &env); err != nil {
		return InboundDelivery{}, err
	}
	if env.Event == nil {
		return InboundDelivery{}, errors.New("envelope without event")
	}
	d := InboundDelivery{Event: env.Event, ReceivedAt: env.ReceivedAt, Partition: partition, Delivered: 1}
	if md, err := m.Metadata(); err == nil {
		d.Delivered = md.NumDelivered
	}
	return d, nil
}

// ackAll acknowledges in order and waits for the server to confirm the last
// one: acks on one connection are processed in order, so the partition's
// ack-pending window is free before the next fetch.
func ackAll(ctx context.Context, msgs []jetstream.Msg) error {
	for _, m := range msgs[:len(msgs)-1] {
		if err := m.Ack(); err != nil {
			return err
		}
	}
	return msgs[len(msgs)-1].DoubleAck(ctx)
}

// nakInOrder returns messages for redelivery, oldest first, so that the
// server redelivers them in their original order.
func nakInOrder(msgs []jetstream.Msg) {
	slices.SortStableFunc(msgs, func(a, b jetstream.Msg) int { return cmp.Compare(streamSeq(a), streamSeq(b)) })
	for _, m := range msgs {
		_ = m.Nak()
	}
}

func streamSeq(m jetstream.Msg) uint64 {
	md, err := m.Metadata()
	if err != nil {
		return 0
	}
	return md.Sequence.Stream
}

func (w *partitionWorker) pause(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(inboundFetchWait / 10):
	}
}

func (w *partitionWorker) sleep(ctx context.Context) {
	w.backoff = min(max(2*w.backoff, 250*time.Millisecond), maxRetryBackoff)
	select {
	case <-ctx.Done():
	case <-time.After(w.backoff):
	}
}

// reportQueueDepth publishes how many messages wait in the work queues.
func (b *Bus) reportQueueDepth(ctx context.Context) {
	for label, base := range map[string]string{"inbound": streamInbound, "outbound": streamOutbound} {
		s, err := b.js.Stream(ctx, b.streamName(base))
		if err != nil {
			continue
		}
		metrics.QueuePending.WithLabelValues(label).Set(float64(s.CachedInfo().State.Msgs))
	}
}
