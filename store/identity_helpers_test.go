package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

// onBothEngines runs fn on a fresh store of each engine; each call of open
// gives another fresh store (PostgreSQL: a schema of one test database).
func onBothEngines(t *testing.T, fn func(t *testing.T, open func(tb testing.TB) *store.Store)) {
	onBothEngineDSNs(t, func(t *testing.T, dsn func(tb testing.TB) string) {
		fn(t, func(tb testing.TB) *store.Store { return storetest.MustOpenDSN(tb, dsn(tb)) })
	})
}

// onBothEngineDSNs runs fn with a source of fresh databases of each engine.
func onBothEngineDSNs(t *testing.T, fn func(t *testing.T, dsn func(tb testing.TB) string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func(tb testing.TB) string { return "sqlite:" + tb.TempDir() + "/parley.db" })
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, storetest.PostgresSchemas(t))
	})
}

var extSeq atomic.Int64

// inbound builds a customer message on ch from a sender of kind/id.
func inbound(ch *parley.Channel, kind parley.IdentityKind, id string, verified bool, extra ...parley.Identity) *parley.InboundEvent {
	return &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: ch.ID, Platform: ch.Platform,
		ExternalID: fmt.Sprintf("ext-%d", extSeq.Add(1)),
		Sender:     parley.Sender{Kind: kind, ID: id, Name: "Customer", Verified: verified, Extra: extra},
		Direction:  parley.DirectionIn, Timestamp: time.Now().UTC(), Text: "hello from " + id,
	}
}

// MustChannel creates a channel of platform p with config.
func MustChannel(tb testing.TB, st *store.Store, p parley.Platform, config map[string]string) *parley.Channel {
	tb.Helper()
	ch := &parley.Channel{Platform: p, Name: fmt.Sprintf("%s %d", p, extSeq.Add(1)), Config: config}
	if err := st.CreateChannel(context.Background(), ch); err != nil {
		tb.Fatalf("creating channel: %v", err)
	}
	return ch
}

// MustIngestOne stores one event and returns its result.
func MustIngestOne(tb testing.TB, st *store.Store, ev *parley.InboundEvent) parley.IngestResult {
	tb.Helper()
	res, err := st.Ingest(context.Background(), []*parley.InboundEvent{ev})
	if err != nil {
		tb.Fatalf("ingest: %v", err)
	}
	if res[0].Contact == nil || res[0].Conversation == nil {
		tb.Fatalf("ingest stored nothing: %+v", res[0])
	}
	return res[0]
}

func countRows(tb testing.TB, st *store.Store, q string, args ...any) int {
	tb.Helper()
	var n int
	if err := st.Reader().QueryRow(q, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}
