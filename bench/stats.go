package bench

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// latencies collects durations and reports percentiles exactly (all
// samples are kept; runs are bounded).
type latencies struct {
	mu      sync.Mutex
	samples []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.samples = append(l.samples, d)
	l.mu.Unlock()
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.samples)
}

// percentile returns the p-th percentile (0 < p ≤ 100), nearest rank.
func (l *latencies) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.samples) == 0 {
		return 0
	}
	s := slices.Clone(l.samples)
	slices.Sort(s)
	rank := int(float64(len(s))*p/100+0.999999) - 1
	rank = max(0, min(rank, len(s)-1))
	return s[rank]
}

func (l *latencies) summary() string {
	return fmt.Sprintf("n=%d p50=%s p99=%s p99.9=%s max=%s", l.count(),
		round(l.percentile(50)), round(l.percentile(99)), round(l.percentile(99.9)), round(l.percentile(100)))
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
