package httpapi

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Sign-in attempts per IP address and e-mail: a burst of 5, then one every
// 12 seconds (5 a minute). Enough for a person who mistypes, far too few
// for guessing, and keyed by address too so that one attacker cannot lock
// an agent out from everywhere.
const (
	loginBurst = 5
	loginRate  = rate.Limit(1.0 / 12)
	// limiterIdle is how long an untouched limiter is kept; by then it has
	// refilled completely, so forgetting it changes nothing.
	limiterIdle = 2 * time.Minute
)

// limiterSet keeps one token bucket per key, forgetting idle ones.
type limiterSet struct {
	mu        sync.Mutex
	limit     rate.Limit
	burst     int
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim      *rate.Limiter
	lastSeen time.Time
}

func newLimiterSet(limit rate.Limit, burst int) *limiterSet {
	return &limiterSet{limit: limit, burst: burst, buckets: map[string]*bucket{}}
}

// allow takes one token from key's bucket at time now.
func (l *limiterSet) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > limiterIdle {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.lastSeen = now
	return b.lim.AllowN(now, 1)
}

func (l *limiterSet) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.lastSeen) > limiterIdle {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}
