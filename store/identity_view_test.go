package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
)

// The 360 timeline tells when the customer wrote, not when the node stored
// it: a backlog delivered at once (an IMAP catch-up, a webhook retry burst)
// must keep its hours apart, and its order must follow the written times.
func TestContact360TimelineUsesWrittenTime(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		stored := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		st.Clock = &stepClock{at: stored}
		ch := MustChannel(t, st, parley.PlatformWhatsApp, nil)
		written := []time.Time{stored.Add(-2 * time.Hour), stored.Add(-5 * time.Hour)} // delivered newest first
		var contactID int64
		for _, at := range written {
			ev := inbound(ch, parley.IdentityWhatsApp, "4915112345678", true)
			ev.Timestamp = at
			contactID = MustIngestOne(t, st, ev).Contact.ID
		}
		v, err := st.Contact360(ctx, contactID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Timeline) != 2 {
			t.Fatalf("timeline has %d entries, want 2", len(v.Timeline))
		}
		// Oldest first, each at its written time.
		if !v.Timeline[0].At.Equal(written[1]) || !v.Timeline[1].At.Equal(written[0]) {
			t.Fatalf("timeline times %v, %v; want %v, %v (stored at %v)", v.Timeline[0].At, v.Timeline[1].At, written[1], written[0], stored)
		}
	})
}
