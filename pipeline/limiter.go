package pipeline

import (
	"context"
	"strconv"
	"sync"

	"golang.org/x/time/rate"

	"github.com/parleyhq/parley"
)

// DefaultRatePerSecond is a channel's send rate when its configuration
// sets none ("rate_per_second"): below the documented limits of the
// platforms Parley speaks.
const DefaultRatePerSecond = 20

// limiters holds one token bucket per channel on this node.
type limiters struct {
	mu sync.Mutex
	by map[int64]*rate.Limiter
}

// wait blocks until ch may send once more.
func (l *limiters) wait(ctx context.Context, ch *parley.Channel) error {
	return l.limiter(ch).Wait(ctx)
}

func (l *limiters) limiter(ch *parley.Channel) *rate.Limiter {
	perSecond := channelRate(ch)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.by == nil {
		l.by = map[int64]*rate.Limiter{}
	}
	lim, ok := l.by[ch.ID]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond)))
		l.by[ch.ID] = lim
	} else if lim.Limit() != rate.Limit(perSecond) {
		lim.SetLimit(rate.Limit(perSecond)) // the admin changed it
		lim.SetBurst(max(1, int(perSecond)))
	}
	return lim
}

func channelRate(ch *parley.Channel) float64 {
	if v, err := strconv.ParseFloat(ch.Config["rate_per_second"], 64); err == nil && v > 0 {
		return v
	}
	return DefaultRatePerSecond
}
