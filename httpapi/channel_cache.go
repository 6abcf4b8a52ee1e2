package httpapi

import (
	"cmp"
	"context"
	"slices"
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
	// meta indexes the Meta channels by account for /hooks/meta, which
	// would otherwise read every channel on every call; gen counts
	// invalidations, so a read that raced one is not kept.
	meta   *metaIndex
	gen    uint64
	metaMu sync.Mutex // one refresh at a time
}

// metaIndex is the usable Meta channels by account id (page_id,
// ig_account_id, phone_number_id), as read at read.
type metaIndex struct {
	byAccount map[string][]*parley.Channel
	read      time.Time
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

// forget drops a channel after this node created, changed or deleted it,
// and the Meta index with it.
func (c *channelCache) forget(id int64) {
	c.mu.Lock()
	delete(c.entries, id)
	c.meta = nil
	c.gen++
	c.mu.Unlock()
}

// metaChannels returns the usable Meta channels of the accounts, in id
// order, from an index at most channelCacheTTL old.
func (c *channelCache) metaChannels(ctx context.Context, st parley.ChannelService, accounts map[string]bool) ([]*parley.Channel, error) {
	idx, err := c.metaIndex(ctx, st)
	if err != nil {
		return nil, err
	}
	var out []*parley.Channel
	for acct := range accounts {
		out = append(out, idx.byAccount[acct]...)
	}
	slices.SortFunc(out, func(a, b *parley.Channel) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

func (c *channelCache) freshMeta(now time.Time) (*metaIndex, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.meta; m != nil && now.Sub(m.read) < channelCacheTTL && now.Sub(m.read) >= 0 {
		return m, c.gen
	}
	return nil, c.gen
}

func (c *channelCache) metaIndex(ctx context.Context, st parley.ChannelService) (*metaIndex, error) {
	if m, _ := c.freshMeta(c.now()); m != nil {
		return m, nil
	}
	c.metaMu.Lock()
	defer c.metaMu.Unlock()
	now := c.now()
	m, gen := c.freshMeta(now) // another call may have refreshed it meanwhile
	if m != nil {
		return m, nil
	}
	chans, err := st.FindChannels(ctx)
	if err != nil {
		return nil, err
	}
	m = &metaIndex{byAccount: map[string][]*parley.Channel{}, read: now}
	for _, ch := range chans {
		if ch.Status == parley.ChannelDisabled || !isMetaPlatform(ch.Platform) {
			continue
		}
		if acct := ch.Config[accountKey(ch.Platform)]; acct != "" {
			m.byAccount[acct] = append(m.byAccount[acct], ch)
		}
	}
	c.mu.Lock()
	if c.gen == gen {
		c.meta = m
	}
	c.mu.Unlock()
	return m, nil
}
