package bus_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
)

const (
	testPartitions = 4
	testLeaseTTL   = 2 * time.Second
	testAckWait    = 3 * time.Second
)

// node is one Bus consuming inbound events into a shared recorder, the way
// a processor stores them: only batches whose handler succeeded count.
type node struct {
	bus     *bus.Bus
	handled atomic.Int64
	calls   atomic.Int64
	failAt  func(call int64) bool // which handler calls fail, nil = none
	hang    chan struct{}         // if set, handlers block until it closes, then fail
	hung    chan struct{}         // receives when a handler hangs
}

func startNode(t *testing.T, open bustest.Opener, id string, rec *recorder, failAt func(int64) bool) *node {
	t.Helper()
	return startNodeWith(t, open, &node{failAt: failAt}, id, rec)
}

func startNodeWith(t *testing.T, open bustest.Opener, n *node, id string, rec *recorder) *node {
	t.Helper()
	n.bus = open(t, bus.Config{NodeID: id, Partitions: testPartitions, LeaseTTL: testLeaseTTL, InboundAckWait: testAckWait})
	if n.hang != nil {
		t.Cleanup(func() { close(n.hang) }) // before the bus closes: Close waits for handlers
	}
	err := n.bus.ConsumeInbound(t.Context(), 8, func(_ context.Context, batch []bus.InboundDelivery) error {
		if n.hang != nil {
			select {
			case n.hung <- struct{}{}:
			default:
			}
			<-n.hang
			return errors.New("hung node")
		}
		call := n.calls.Add(1)
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond) // a commit takes a while
		if n.failAt != nil && n.failAt(call) {
			return errors.New("simulated store failure")
		}
		rec.add(batch)
		n.handled.Add(int64(len(batch)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitBalanced waits until both nodes hold inbound partitions.
func waitBalanced(t *testing.T, a, b *node) {
	t.Helper()
	waitFor(t, "partitions spread over both nodes", 20*time.Second, func() bool {
		holders, err := bus.LeaseHolders(context.Background(), a.bus)
		if err != nil {
			return false
		}
		count := map[string]int{}
		for _, h := range holders {
			count[h]++
		}
		return len(holders) == testPartitions && count[bus.Instance(a.bus)] > 0 && count[bus.Instance(b.bus)] > 0
	})
}

// publishSenders publishes perSender events for each of senders, each
// sender's events in order, all senders concurrently.
func publishSenders(t *testing.T, b *bus.Bus, senders, perSender int) {
	t.Helper()
	publishRange(t, b, senders, 0, perSender)
}

// publishRange publishes events from..to-1 of each sender.
func publishRange(t *testing.T, b *bus.Bus, senders, from, to int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for s := range senders {
		wg.Go(func() {
			for i := from; i < to; i += 3 {
				var events []*parley.InboundEvent
				for j := i; j < min(i+3, to); j++ {
					events = append(events, MustEvent(t, fmt.Sprint("sender-", s), j))
				}
				if err := b.PublishInbound(context.Background(), events, nil, time.Now()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// checkOrder asserts every sender's events were handled exactly once, in order.
func checkOrder(t *testing.T, rec *recorder, senders, perSender int) {
	t.Helper()
	want := make([]string, perSender)
	for i := range want {
		want[i] = fmt.Sprint(i)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for s := range senders {
		if got := rec.seen[fmt.Sprint("sender-", s)]; !slices.Equal(got, want) {
			t.Errorf("sender-%d handled %v, want %v", s, got, want)
		}
	}
}

func TestConsumeInboundAcrossNodes(t *testing.T) {
	t.Parallel()
	const senders, perSender = 16, 30
	bustest.ForEachServer(t, func(t *testing.T, open bustest.Opener) {
		t.Run("each sender's events are handled in order while nodes share partitions", func(t *testing.T) {
			rec := newRecorder()
			a := startNode(t, open, "a", rec, nil)
			b := startNode(t, open, "b", rec, nil)
			waitBalanced(t, a, b)
			publishSenders(t, a.bus, senders, perSender)
			waitFor(t, "every event handled", 30*time.Second, func() bool { return rec.count() >= senders*perSender })
			checkOrder(t, rec, senders, perSender)
			if a.handled.Load() == 0 || b.handled.Load() == 0 {
				t.Errorf("node a handled %d, node b %d: both should work", a.handled.Load(), b.handled.Load())
			}
		})
	})
}

func TestConsumeInboundAckAfterCommit(t *testing.T) {
	t.Parallel()
	const senders, perSender = 8, 20
	bustest.ForEachServer(t, func(t *testing.T, open bustest.Opener) {
		t.Run("failed batches are redelivered in order and nothing is lost", func(t *testing.T) {
			rec := newRecorder()
			everyThird := func(call int64) bool { return call%3 == 0 }
			a := startNode(t, open, "a", rec, everyThird)
			b := startNode(t, open, "b", rec, everyThird)
			waitBalanced(t, a, b)
			publishSenders(t, a.bus, senders, perSender)
			waitFor(t, "every event handled", 60*time.Second, func() bool { return rec.count() >= senders*perSender })
			checkOrder(t, rec, senders, perSender)
			redelivered := 0
			for _, d := range rec.all {
				if d.Delivered > 1 {
					redelivered++
				}
			}
			if redelivered == 0 {
				t.Error("no event was redelivered, yet a third of the batches failed")
			}
		})
	})
}

func TestConsumeInboundFailover(t *testing.T) {
	t.Parallel()
	const senders, perSender = 8, 6
	bustest.ForEachServer(t, func(t *testing.T, open bustest.Opener) {
		t.Run("a crashed node's partitions are taken over, its batch in flight first", func(t *testing.T) {
			rec := newRecorder()
			a := startNodeWith(t, open, &node{hang: make(chan struct{}), hung: make(chan struct{}, 1)}, "a", rec)
			b := startNode(t, open, "b", rec, nil)
			waitBalanced(t, a, b)
			publishRange(t, b.bus, senders, 0, perSender/2)
			select {
			case <-a.hung:
			case <-time.After(10 * time.Second):
				t.Fatal("node a never received a batch")
			}
			bus.Crash(a.bus) // with a batch in flight
			publishRange(t, b.bus, senders, perSender/2, perSender)
			waitFor(t, "every event handled by the survivor", 30*time.Second, func() bool {
				return rec.firstSeen(senders) == senders*perSender
			})
			checkFirstOrder(t, rec, senders, perSender)
		})
	})
}

// firstSeen counts distinct events handled.
func (r *recorder) firstSeen(senders int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for s := range senders {
		n += len(dedupe(r.seen[fmt.Sprint("sender-", s)]))
	}
	return n
}

// dedupe keeps the first occurrence of each item: delivery is at least
// once, and the store drops repeats by their unique external id.
func dedupe(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	return out
}

// checkFirstOrder asserts every sender's events were first handled in order.
func checkFirstOrder(t *testing.T, rec *recorder, senders, perSender int) {
	t.Helper()
	want := make([]string, perSender)
	for i := range want {
		want[i] = fmt.Sprint(i)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for s := range senders {
		if got := dedupe(rec.seen[fmt.Sprint("sender-", s)]); !slices.Equal(got, want) {
			t.Errorf("sender-%d first handled %v, want %v", s, got, want)
		}
	}
}

func TestCloseFinishesInFlightBatch(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	err = b.ConsumeInbound(ctx, 10, func(ctx context.Context, batch []bus.InboundDelivery) error {
		once.Do(func() { close(entered) })
		<-release
		return ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	MustPublish(t, b, MustEvent(t, "ana", 1))
	<-entered
	closed := make(chan struct{})
	go func() { b.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while a batch was in flight")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	<-closed

	reopened := bustest.MustOpen(t, bus.Config{DataDir: dir})
	if n, err := bus.PendingInbound(ctx, reopened); err != nil || n != 0 {
		t.Fatalf("after a graceful close %d events wait (err %v), want 0: the batch was acknowledged", n, err)
	}
}
