package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// slowIngest records each call and answers every event with a result that
// names it, so callers can check they got their own slice back.
type slowIngest struct {
	mu    sync.Mutex
	calls [][]string
	fail  bool
	delay time.Duration
}

func (s *slowIngest) Ingest(ctx context.Context, events []*parley.InboundEvent) ([]parley.IngestResult, error) {
	time.Sleep(s.delay)
	ids := make([]string, len(events))
	out := make([]parley.IngestResult, len(events))
	for i, e := range events {
		ids[i] = e.ExternalID
		out[i] = parley.IngestResult{Message: &parley.Message{ExternalID: e.ExternalID}}
	}
	s.mu.Lock()
	s.calls = append(s.calls, ids)
	s.mu.Unlock()
	if s.fail {
		return nil, errors.New("disk full")
	}
	return out, nil
}

func batchOf(prefix string, n int) []*parley.InboundEvent {
	out := make([]*parley.InboundEvent, n)
	for i := range out {
		out[i] = &parley.InboundEvent{ExternalID: fmt.Sprintf("%s-%d", prefix, i)}
	}
	return out
}

func TestGroupCommitMergesConcurrentBatchesAndKeepsEachOwnResults(t *testing.T) {
	st := &slowIngest{delay: 20 * time.Millisecond}
	g := &GroupCommit{Store: st}
	var wg sync.WaitGroup
	const callers = 8
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prefix := fmt.Sprintf("p%d", c)
			res, err := g.Ingest(context.Background(), batchOf(prefix, 3))
			if err != nil {
				t.Error(err)
				return
			}
			for i, r := range res {
				if want := fmt.Sprintf("%s-%d", prefix, i); r.Message.ExternalID != want {
					t.Errorf("caller %s got result %s at %d", prefix, r.Message.ExternalID, i)
				}
			}
		}()
	}
	wg.Wait()
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.calls) >= callers {
		t.Fatalf("%d concurrent batches made %d transactions: nothing was merged", callers, len(st.calls))
	}
	seen := 0
	for _, call := range st.calls {
		seen += len(call)
		for i := 1; i < len(call); i++ { // each batch's events stay together and in order
			var pa, ia, pb, ib int
			fmt.Sscanf(call[i-1], "p%d-%d", &pa, &ia)
			fmt.Sscanf(call[i], "p%d-%d", &pb, &ib)
			if pa == pb && ib != ia+1 {
				t.Fatalf("batch p%d out of order in %v", pa, call)
			}
		}
	}
	if seen != callers*3 {
		t.Fatalf("ingested %d events, want %d", seen, callers*3)
	}
}

func TestGroupCommitFailsEveryMergedBatch(t *testing.T) {
	st := &slowIngest{delay: 10 * time.Millisecond, fail: true}
	g := &GroupCommit{Store: st}
	var wg sync.WaitGroup
	var failed sync.Map
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := g.Ingest(context.Background(), batchOf(fmt.Sprint(c), 2)); err != nil {
				failed.Store(c, true)
			}
		}()
	}
	wg.Wait()
	for c := range 4 {
		if _, ok := failed.Load(c); !ok {
			t.Errorf("caller %d was told its batch was stored", c)
		}
	}
}

func TestGroupCommitBoundsTheTransaction(t *testing.T) {
	st := &slowIngest{delay: 20 * time.Millisecond}
	g := &GroupCommit{Store: st, MaxEvents: 5}
	var wg sync.WaitGroup
	for c := range 6 {
		wg.Add(1)
		go func() { defer wg.Done(); g.Ingest(context.Background(), batchOf(fmt.Sprint(c), 2)) }()
	}
	wg.Wait()
	for _, call := range st.calls {
		if len(call) > 5 {
			t.Fatalf("a transaction carried %d events, limit 5", len(call))
		}
	}
}

func TestGroupCommitSkipsCallersThatGaveUp(t *testing.T) {
	st := &slowIngest{}
	g := &GroupCommit{Store: st}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Ingest(ctx, batchOf("gone", 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if len(st.calls) != 0 {
		t.Fatal("a cancelled batch was written")
	}
}

// commitCounter is a store whose commits take a little while and are
// counted, so callers can see how many commits their call spanned.
type commitCounter struct {
	mu      sync.Mutex
	commits int
}

func (c *commitCounter) Ingest(_ context.Context, events []*parley.InboundEvent) ([]parley.IngestResult, error) {
	time.Sleep(2 * time.Millisecond)
	c.mu.Lock()
	c.commits++
	c.mu.Unlock()
	return make([]parley.IngestResult, len(events)), nil
}

func (c *commitCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commits
}

// A caller that leads must not keep committing for everyone else while its
// own partition waits: under steady load each call returns after a few
// commits, never after all of them.
func TestGroupCommitLeaderStepsDownUnderSteadyLoad(t *testing.T) {
	st := &commitCounter{}
	g := &GroupCommit{Store: st, MaxEvents: 2} // one batch per commit: the most commits per call
	const workers, rounds = 4, 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	worst := 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				before := st.count()
				if _, err := g.Ingest(context.Background(), batchOf(fmt.Sprint(w), 2)); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				worst = max(worst, st.count()-before)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if st.count() != workers*rounds {
		t.Fatalf("%d commits for %d batches", st.count(), workers*rounds)
	}
	// With a fair hand-off a call waits for at most the batches queued
	// ahead of it (one per other worker) and its own.
	if worst > workers+1 {
		t.Fatalf("one call spanned %d commits of %d: its caller kept leading for others", worst, workers*rounds)
	}
}
