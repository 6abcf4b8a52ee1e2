package widget

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/parleyhq/parley"
)

// Rate is one token bucket: a token every Every, at most Burst saved up.
type Rate struct {
	Every time.Duration
	Burst int
}

// Limits bound what one visitor and one IP address may do. Zero fields
// take the defaults in parentheses.
type Limits struct {
	SessionPerIP      Rate // new sessions and identify calls (1 per 2 s, burst 30)
	MessagePerIP      Rate // visitor messages from one address, all visitors (1 per 200 ms, burst 30)
	MessagePerVisitor Rate // messages of one visitor (1 per 500 ms, burst 10)
	UploadPerVisitor  Rate // uploads of one visitor (1 per 5 s, burst 5)
	ConnectPerIP      Rate // WebSocket connections from one address (1 per s, burst 20)
	FramePerSocket    Rate // any client frame on one socket (10 per s, burst 40)
}

func (l Limits) withDefaults() Limits {
	def := func(r *Rate, every time.Duration, burst int) {
		if r.Every <= 0 {
			r.Every = every
		}
		if r.Burst <= 0 {
			r.Burst = burst
		}
	}
	def(&l.SessionPerIP, 2*time.Second, 30)
	def(&l.MessagePerIP, 200*time.Millisecond, 30)
	def(&l.MessagePerVisitor, 500*time.Millisecond, 10)
	def(&l.UploadPerVisitor, 5*time.Second, 5)
	def(&l.ConnectPerIP, time.Second, 20)
	def(&l.FramePerSocket, 100*time.Millisecond, 40)
	return l
}

func (r Rate) limiter() *rate.Limiter { return rate.NewLimiter(rate.Every(r.Every), r.Burst) }

// limiterSet keeps one bucket per key (an IP address, a visitor), dropping
// buckets idle long enough to be full again.
type limiterSet struct {
	rate Rate
	mu   sync.Mutex
	m    map[string]*keyed
}

type keyed struct {
	l    *rate.Limiter
	used time.Time
}

func newLimiterSet(r Rate) *limiterSet { return &limiterSet{rate: r, m: map[string]*keyed{}} }

// allow takes a token for key, or returns ERATELIMITED.
func (s *limiterSet) allow(key, what string) error {
	s.mu.Lock()
	k := s.m[key]
	if k == nil {
		k = &keyed{l: s.rate.limiter()}
		s.m[key] = k
	}
	k.used = time.Now()
	ok := k.l.Allow()
	s.mu.Unlock()
	if !ok {
		return parley.Errorf(parley.ERATELIMITED, "too many %s; slow down", what)
	}
	return nil
}

func (s *limiterSet) forgetIdle(now time.Time) {
	idle := s.rate.Every * time.Duration(s.rate.Burst)
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, k := range s.m {
		if now.Sub(k.used) > idle {
			delete(s.m, key)
		}
	}
}

type limiters struct {
	cfg                                          Limits
	session, messageIP, message, upload, connect *limiterSet
}

func newLimiters(l Limits) *limiters {
	return &limiters{
		cfg: l, session: newLimiterSet(l.SessionPerIP), messageIP: newLimiterSet(l.MessagePerIP),
		message: newLimiterSet(l.MessagePerVisitor), upload: newLimiterSet(l.UploadPerVisitor),
		connect: newLimiterSet(l.ConnectPerIP),
	}
}

// sweep forgets idle buckets every period until ctx is done.
func (l *limiters) sweep(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			for _, s := range []*limiterSet{l.session, l.messageIP, l.message, l.upload, l.connect} {
				s.forgetIdle(now)
			}
		}
	}
}
