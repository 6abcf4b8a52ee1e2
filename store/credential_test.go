package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

type steppedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *steppedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *steppedClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// A token used many times a minute must not take the writer on every
// request; its last use is still recorded once the minute has passed.
func TestAPITokenUseIsRecordedAtMostOncePerMinute(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		clock := &steppedClock{now: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
		st.Clock = clock
		a := storetest.MustCreateAgent(t, st, parley.RoleAgent)
		tok := &parley.APIToken{AgentID: a.ID, Name: "script", Prefix: "pk_touch", TokenHash: []byte("touch-hash")}
		if err := st.CreateAPIToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		lastUsed := func() time.Time {
			t.Helper()
			got, err := st.FindAPITokenByHash(ctx, []byte("touch-hash"))
			if err != nil || got.LastUsedAt == nil {
				t.Fatalf("find: %+v, %v", got, err)
			}
			return got.LastUsedAt.UTC()
		}
		first := lastUsed()
		if !first.Equal(clock.Now()) {
			t.Fatalf("first use recorded at %v, want %v", first, clock.Now())
		}
		clock.advance(30 * time.Second)
		if got := lastUsed(); !got.Equal(first) {
			t.Fatalf("use within the minute rewrote last_used_at: %v", got)
		}
		clock.advance(31 * time.Second)
		if got := lastUsed(); !got.Equal(clock.Now()) {
			t.Fatalf("use after a minute recorded %v, want %v", got, clock.Now())
		}
	})
}
