package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// channelCacheTTL is how long a webhook may be checked against a channel as
// it was read: a change made on another node (disabled, new secret) takes
// effect within it; on this node at once.
const channelCacheTTL = 2 * time.Second

// channelCache keeps recently read channels for the webhook path, which
// would otherwise read (and decrypt) the channel on every platform call —
// on PostgreSQL a read-only transaction of three round trips per webhook,
// competing for pool connections with the inbound processor.
type channelCache struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[int64]cachedChannel
}

type cachedChannel struct {
	ch   *parley.Channel
	read time.Time
}

func newChannelCache(now func() time.Time) *channelCache {
	return &channelCache{now: now, entries: map[int64]cachedChannel{}}
}

// find returns the channel, from the cache when it is fresh. Misses and
// errors are not cached, so a new channel works at once.
func (c *channelCache) find(ctx context.Context, st parley.ChannelService, id int64) (*parley.Channel, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && now.Sub(e.read) < channelCacheTTL && now.Sub(e.read) >= 0 {
		return e.ch, nil
	}
	ch, err := st.FindChannelByID(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.entries) > 10_000 { // bounded: ids come from the URL
		clear(c.entries)
	}
	c.entries[id] = cachedChannel{ch: ch, read: now}
	c.mu.Unlock()
	return ch, nil
}

// forget drops a channel after this node changed or deleted it.
func (c *channelCache) forget(id int64) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}
