package bus

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// countingConsumer counts pull requests and has no server behind it.
type countingConsumer struct {
	jetstream.Consumer
	fetches atomic.Int64
}

func (c *countingConsumer) Fetch(int, ...jetstream.FetchOpt) (jetstream.MessageBatch, error) {
	c.fetches.Add(1)
	return nil, errors.New("no server in this test")
}

// TestWorkerFetchesNothingPastItsLeaseFence: a worker whose node has not
// renewed its lease in time starts no pull request, so a node that takes
// the partition over is never racing it for newer events (which is what
// reordered a sender's events after a failover under load).
func TestWorkerFetchesNothingPastItsLeaseFence(t *testing.T) {
	b := &Bus{cfg: Config{LeaseTTL: 2 * time.Second, InboundAckWait: 3 * time.Second}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c := &countingConsumer{}
	var fence atomic.Int64
	fence.Store(time.Now().Add(-time.Millisecond).UnixNano())
	w := &partitionWorker{b: b, consumer: c, batchSize: 8, validUntil: &fence}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.run(ctx) }()
	time.Sleep(10 * inboundFetchWait / 10) // ten pauses' worth of chances to fetch
	if n := c.fetches.Load(); n != 0 {
		t.Fatalf("%d pull requests past the fence", n)
	}
	fence.Store(time.Now().Add(time.Hour).UnixNano()) // renewed
	deadline := time.Now().Add(10 * time.Second)
	for c.fetches.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if c.fetches.Load() == 0 {
		t.Fatal("a renewed worker never fetched")
	}
}
