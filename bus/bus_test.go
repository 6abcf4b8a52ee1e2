package bus_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
)

// MustEvent builds the seq-th message of sender on channel 1.
func MustEvent(tb testing.TB, sender string, seq int) *parley.InboundEvent {
	tb.Helper()
	return &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: 1, Platform: parley.PlatformAPI,
		ExternalID: fmt.Sprintf("%s-%d", sender, seq),
		Sender:     parley.Sender{Kind: parley.IdentityExternal, ID: sender},
		Direction:  parley.DirectionIn, Timestamp: time.Unix(1700000000, 0).UTC(),
		Text: fmt.Sprint(seq),
	}
}

// MustPublish publishes events and fails the test on error.
func MustPublish(tb testing.TB, b *bus.Bus, events ...*parley.InboundEvent) {
	tb.Helper()
	if err := b.PublishInbound(context.Background(), events, []byte("raw"), time.Now()); err != nil {
		tb.Fatalf("publish inbound: %v", err)
	}
}

// recorder collects what inbound handlers saw.
type recorder struct {
	mu   sync.Mutex
	seen map[string][]string // sender → texts, in handling order
	all  []bus.InboundDelivery
}

func newRecorder() *recorder { return &recorder{seen: map[string][]string{}} }

func (r *recorder) add(batch []bus.InboundDelivery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range batch {
		r.seen[d.Event.Sender.ID] = append(r.seen[d.Event.Sender.ID], d.Event.Text)
		r.all = append(r.all, d)
	}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.all)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(tb testing.TB, what string, timeout time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPublishInbound(t *testing.T) {
	bustest.ForEachBackend(t, func(t *testing.T, open bustest.Opener) {
		b := open(t, bus.Config{Partitions: 4})
		ctx := context.Background()

		t.Run("the same event published twice is stored once", func(t *testing.T) {
			e := MustEvent(t, "ana", 1)
			MustPublish(t, b, e)
			MustPublish(t, b, e, MustEvent(t, "ana", 2))
			n, err := bus.PendingInbound(ctx, b)
			if err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Fatalf("stream holds %d messages, want 2 (one duplicate dropped)", n)
			}
		})

		t.Run("consumed events carry the envelope", func(t *testing.T) {
			rec := newRecorder()
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			received := time.Now()
			MustPublishAt(t, b, received, MustEvent(t, "bo", 1))
			if err := b.ConsumeInbound(cctx, 10, func(_ context.Context, batch []bus.InboundDelivery) error {
				rec.add(batch)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "three events", 10*time.Second, func() bool { return rec.count() == 3 })
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if got := rec.seen["ana"]; !slices.Equal(got, []string{"1", "2"}) {
				t.Errorf("ana's events = %v, want [1 2]", got)
			}
			for _, d := range rec.all {
				want := bus.Partition(d.Event, 4)
				if d.Partition != want || d.Delivered != 1 {
					t.Errorf("delivery %+v: partition want %d, delivered once", d, want)
				}
				if d.Event.Sender.ID == "bo" && !d.ReceivedAt.Equal(received.UTC()) && !d.ReceivedAt.Equal(received) {
					t.Errorf("received_at = %v, want %v", d.ReceivedAt, received)
				}
			}
		})
	})
}

// MustPublishAt publishes events received at a given time.
func MustPublishAt(tb testing.TB, b *bus.Bus, at time.Time, events ...*parley.InboundEvent) {
	tb.Helper()
	if err := b.PublishInbound(context.Background(), events, []byte("raw"), at); err != nil {
		tb.Fatalf("publish inbound: %v", err)
	}
}

func TestPublishInboundUnavailable(t *testing.T) {
	b := bustest.MustOpen(t, bus.Config{DataDir: t.TempDir()})
	bus.StopEmbeddedServer(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := b.PublishInbound(ctx, []*parley.InboundEvent{MustEvent(t, "ana", 1)}, nil, time.Now())
	if code := parley.ErrorCode(err); code != parley.EUNAVAILABLE {
		t.Fatalf("error = %v (code %q), want %s", err, code, parley.EUNAVAILABLE)
	}
	if err := b.Ready(context.Background()); parley.ErrorCode(err) != parley.EUNAVAILABLE {
		t.Fatalf("Ready = %v, want unavailable", err)
	}
}

func TestPartition(t *testing.T) {
	t.Run("one sender on one channel always maps to one partition", func(t *testing.T) {
		a, b := MustEvent(t, "ana", 1), MustEvent(t, "ana", 99)
		if bus.Partition(a, 8) != bus.Partition(b, 8) {
			t.Fatal("same sender, different partitions")
		}
	})
	t.Run("senders spread over all partitions", func(t *testing.T) {
		hit := map[int]bool{}
		for i := range 200 {
			p := bus.Partition(MustEvent(t, fmt.Sprint("s", i), 1), 8)
			if p < 0 || p >= 8 {
				t.Fatalf("partition %d out of range", p)
			}
			hit[p] = true
		}
		if len(hit) != 8 {
			t.Fatalf("200 senders hit %d of 8 partitions", len(hit))
		}
	})
}
