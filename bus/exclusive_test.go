package bus_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
)

// jobRecorder counts who runs a job and notices two holders at once.
type jobRecorder struct {
	mu      sync.Mutex
	running map[string]bool
	ran     map[string]int
	overlap atomic.Bool
}

func (r *jobRecorder) job(holder string) func(ctx context.Context) {
	return func(ctx context.Context) {
		r.mu.Lock()
		if len(r.running) > 0 {
			r.overlap.Store(true)
		}
		r.running[holder] = true
		r.ran[holder]++
		r.mu.Unlock()
		<-ctx.Done()
		r.mu.Lock()
		delete(r.running, holder)
		r.mu.Unlock()
	}
}

func (r *jobRecorder) current() (string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for h := range r.running {
		return h, len(r.running)
	}
	return "", 0
}

func TestRunExclusive(t *testing.T) {
	t.Parallel()
	bustest.ForEachServer(t, func(t *testing.T, open bustest.Opener) {
		t.Run("one holder runs the job; a stopped holder hands it over", func(t *testing.T) {
			cfg := bus.Config{LeaseTTL: 2 * time.Second}
			buses := map[string]*bus.Bus{"a": open(t, cfg), "b": open(t, cfg)}
			rec := &jobRecorder{running: map[string]bool{}, ran: map[string]int{}}
			stops := map[string]context.CancelFunc{}
			done := map[string]chan struct{}{}
			for name, b := range buses {
				ctx, cancel := context.WithCancel(context.Background())
				finished := make(chan struct{})
				stops[name], done[name] = cancel, finished
				go func() {
					defer close(finished)
					if err := b.RunExclusive(ctx, "mailbox.42", rec.job(name)); err != nil {
						t.Errorf("%s: %v", name, err)
					}
				}()
			}
			t.Cleanup(func() {
				for name := range stops {
					stops[name]()
					<-done[name]
				}
			})
			var first string
			waitFor(t, "a holder runs the job", 20*time.Second, func() bool { first, _ = rec.current(); return first != "" })
			// Several renewal rounds: the other node must keep waiting.
			for range 3 {
				time.Sleep(cfg.LeaseTTL / 2)
				if h, n := rec.current(); h != first || n != 1 {
					t.Fatalf("holder %q (%d running), want only %q", h, n, first)
				}
			}
			stops[first]()
			<-done[first]
			second := "a"
			if first == "a" {
				second = "b"
			}
			waitFor(t, "the other node takes over", 20*time.Second, func() bool { h, _ := rec.current(); return h == second })
			if rec.overlap.Load() {
				t.Error("two holders ran the job at once")
			}
		})
		t.Run("a crashed holder's job is taken over after the lease expires", func(t *testing.T) {
			cfg := bus.Config{LeaseTTL: 2 * time.Second}
			a, b := open(t, cfg), open(t, cfg)
			rec := &jobRecorder{running: map[string]bool{}, ran: map[string]int{}}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() { _ = a.RunExclusive(ctx, "mailbox.7", rec.job("a")) }()
			waitFor(t, "a runs the job", 20*time.Second, func() bool { h, _ := rec.current(); return h == "a" })
			go func() { _ = b.RunExclusive(ctx, "mailbox.7", rec.job("b")) }()
			bus.Crash(a) // no release: b must wait for the TTL
			waitFor(t, "b takes over", 30*time.Second, func() bool {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				return rec.ran["b"] == 1
			})
		})
	})
}

func TestRunExclusiveEmbedded(t *testing.T) {
	t.Parallel()
	b := bustest.MustOpen(t, bus.Config{DataDir: t.TempDir()})
	ran := make(chan struct{})
	if err := b.RunExclusive(context.Background(), "mailbox.1", func(context.Context) { close(ran) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	default:
		t.Fatal("the only node never ran the job")
	}
}
