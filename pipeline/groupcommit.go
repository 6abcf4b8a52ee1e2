package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
)

// GroupCommit merges the batches that partition workers hand in at the same
// time into one Ingest call, so one transaction carries them all. Each
// partition already writes its own batch in one transaction, but with N
// partitions on one database the commits queue behind each other (SQLite has
// a single writer), and small batches pay the per-transaction cost N times
// over. The first caller to arrive becomes the leader and commits what is
// waiting; the others wait for their slice of the results. A leader steps
// down once its own batch is committed and hands the lead to the oldest
// waiter: the leader is a partition worker, and one that kept committing
// for everyone else under steady load would leave its own partition's
// events waiting in the stream for seconds (seen on PostgreSQL, whose
// commits leave no gaps for the leader to step down in).
//
// Order is kept: a partition worker waits for its batch before sending the
// next, and within a merged call each batch's events stay in their order.
// A failed Ingest fails every merged batch, and each is redelivered.
type GroupCommit struct {
	Store parley.IngestService
	// MaxEvents bounds one merged transaction (default 1024).
	MaxEvents int

	mu      sync.Mutex
	waiting []*commitRequest
	leading bool
}

type commitRequest struct {
	ctx     context.Context
	events  []*parley.InboundEvent
	results []parley.IngestResult
	err     error
	done    chan struct{}
	lead    chan struct{} // closed when this caller is handed the lead
}

// Ingest implements parley.IngestService.
func (g *GroupCommit) Ingest(ctx context.Context, events []*parley.InboundEvent) ([]parley.IngestResult, error) {
	req := &commitRequest{ctx: ctx, events: events, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.waiting = append(g.waiting, req)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		g.leadUntilDone(req)
	}
	select {
	case <-req.done:
	case <-req.lead:
		g.leadUntilDone(req)
	}
	<-req.done
	return req.results, req.err
}

// leadUntilDone commits waiting batches until own is committed, then hands
// the lead to the oldest waiter, or steps down when nobody waits.
func (g *GroupCommit) leadUntilDone(own *commitRequest) {
	for {
		g.mu.Lock()
		if isClosed(own.done) {
			if len(g.waiting) == 0 {
				g.leading = false
			} else {
				close(g.waiting[0].lead)
			}
			g.mu.Unlock()
			return
		}
		group := g.take()
		g.mu.Unlock()
		g.commit(group)
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// take removes up to MaxEvents worth of waiting batches (at least one).
func (g *GroupCommit) take() []*commitRequest {
	limit := g.MaxEvents
	if limit <= 0 {
		limit = 1024
	}
	n, events := 0, 0
	for n < len(g.waiting) && (n == 0 || events+len(g.waiting[n].events) <= limit) {
		events += len(g.waiting[n].events)
		n++
	}
	group := g.waiting[:n:n]
	g.waiting = g.waiting[n:]
	return group
}

func (g *GroupCommit) commit(group []*commitRequest) {
	var all []*parley.InboundEvent
	var live []*commitRequest
	for _, r := range group {
		if r.ctx.Err() != nil { // its worker is stopping: it will be redelivered
			r.err = r.ctx.Err()
			close(r.done)
			continue
		}
		all = append(all, r.events...)
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	// The merged transaction must not die with one caller's context: the
	// others' events ride in it.
	start := time.Now()
	results, err := g.Store.Ingest(context.WithoutCancel(live[0].ctx), all)
	metrics.IngestDuration.Observe(time.Since(start).Seconds())
	metrics.IngestBatchSize.Observe(float64(len(all)))
	if err == nil && len(results) != len(all) {
		err = parley.Errorf(parley.EINTERNAL, "ingest returned %d results for %d events", len(results), len(all))
	}
	off := 0
	for _, r := range live {
		if err != nil {
			r.err = err
		} else {
			r.results = results[off : off+len(r.events) : off+len(r.events)]
		}
		off += len(r.events)
		close(r.done)
	}
}
