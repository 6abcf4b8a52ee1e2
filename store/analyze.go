package store

import (
	"context"
	"sync"
	"time"
)

// The planner needs statistics: PostgreSQL, without them, takes a
// 500-value IN list on an indexed column for a match of the whole table
// and scans it, so a fresh database that grows fast (an import, a busy
// first hour) would slow down until autovacuum next wakes up. The store
// therefore gathers statistics itself each time the messages it ingested
// since opening pass a milestone (2,000, then four times more each time).

// firstAnalyzeAt is the first milestone.
const firstAnalyzeAt = 2000

type analyzer struct {
	mu        sync.Mutex
	ingested  int64
	milestone int64
	running   bool
}

// noteIngested counts stored messages and starts an ANALYZE in the
// background when a milestone is passed.
func (s *Store) noteIngested(n int) {
	if n == 0 || !s.d.wantsAnalyze() {
		return
	}
	a := &s.analyze
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.milestone == 0 {
		a.milestone = firstAnalyzeAt
	}
	a.ingested += int64(n)
	if a.ingested < a.milestone || a.running {
		return
	}
	a.milestone *= 4
	a.running = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		start := time.Now()
		_, err := s.writer.ExecContext(ctx, `ANALYZE messages, identities, conversations, contacts, conversation_tags`)
		if err != nil {
			s.log.Warn("store: gathering planner statistics failed", "err", err)
		} else {
			s.log.Debug("store: gathered planner statistics", "took", time.Since(start))
		}
		a.mu.Lock()
		a.running = false
		a.mu.Unlock()
	}()
}
