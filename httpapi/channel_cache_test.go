package httpapi

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// countingChannels serves one channel and counts reads.
type countingChannels struct {
	parley.ChannelService
	reads int
	name  string
}

func (c *countingChannels) FindChannelByID(_ context.Context, id int64) (*parley.Channel, error) {
	c.reads++
	if id != 7 {
		return nil, parley.Errorf(parley.ENOTFOUND, "no channel %d", id)
	}
	return &parley.Channel{ID: 7, Name: c.name}, nil
}

func TestChannelCacheServesFreshEntriesAndRereadsStaleOnes(t *testing.T) {
	now := time.Unix(1000, 0)
	cache := newChannelCache(func() time.Time { return now })
	st := &countingChannels{name: "first"}
	ctx := context.Background()
	for range 3 {
		if ch, err := cache.find(ctx, st, 7); err != nil || ch.Name != "first" {
			t.Fatalf("find = %v, %v", ch, err)
		}
	}
	if st.reads != 1 {
		t.Fatalf("fresh entry read %d times from the store", st.reads)
	}
	st.name = "renamed"
	now = now.Add(channelCacheTTL)
	if ch, _ := cache.find(ctx, st, 7); ch.Name != "renamed" || st.reads != 2 {
		t.Fatalf("stale entry served: %q after %d reads", ch.Name, st.reads)
	}
	st.name = "changed here"
	cache.forget(7)
	if ch, _ := cache.find(ctx, st, 7); ch.Name != "changed here" {
		t.Fatalf("forgotten entry served: %q", ch.Name)
	}
}

func TestChannelCacheDoesNotRememberMisses(t *testing.T) {
	cache := newChannelCache(time.Now)
	st := &countingChannels{}
	for range 2 {
		if _, err := cache.find(context.Background(), st, 8); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	}
	if st.reads != 2 {
		t.Fatalf("a miss was cached (%d reads)", st.reads)
	}
}
