package store_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

// engines opens a fresh store per engine (PostgreSQL skipped when absent,
// unless CI=true).
var engines = []struct {
	name string
	dsn  func(tb testing.TB) string
}{
	{"sqlite", func(tb testing.TB) string { return "sqlite:" + tb.TempDir() + "/parley.db" }},
	{"postgres", storetest.MustCreatePostgresDB},
}

func TestChannelSecretsAreSealedAtRest(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			st := storetest.MustOpenDSN(t, e.dsn(t))
			ch := &parley.Channel{Platform: parley.PlatformMessenger, Name: "Page",
				Secrets: map[string]string{"page_token": "EAAG-very-secret-token"}}
			if err := st.CreateChannel(context.Background(), ch); err != nil {
				t.Fatal(err)
			}
			var raw []byte
			if err := st.Reader().QueryRow(`SELECT secrets FROM channels WHERE id = $1`, ch.ID).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			if len(raw) == 0 || bytes.Contains(raw, []byte("EAAG-very-secret-token")) || bytes.Contains(raw, []byte("page_token")) {
				t.Fatalf("secrets stored in clear: %q", raw)
			}
		})
	}
}

func TestMigrationsOnAFreshDatabase(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.dsn(t)
			if err := store.Migrate(ctx, dsn); err != nil {
				t.Fatalf("first migrate: %v", err)
			}
			if err := store.Migrate(ctx, dsn); err != nil {
				t.Fatalf("migrating again: %v", err)
			}
			st := storetest.MustOpenDSN(t, dsn)
			files := store.MigrationFileCount(st.Engine())
			var n int
			if err := st.Reader().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != files || n == 0 {
				t.Fatalf("%d migrations recorded of %d files (%v)", n, files, err)
			}
			for _, table := range []string{"agents", "channels", "contacts", "identities", "conversations", "messages", "tags",
				"message_search", "contact_search", "conversation_search"} {
				if _, err := st.Reader().Exec(`SELECT COUNT(*) FROM ` + table); err != nil {
					t.Errorf("table %s: %v", table, err)
				}
			}
		})
	}
}

// Two nodes (two stores on one database) ingesting the same new customer
// at once must end with one contact and one ticket.
func TestTwoStoresIngestTheSameNewCustomer(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.dsn(t)
			a, b := storetest.MustOpenDSN(t, dsn), storetest.MustOpenDSN(t, dsn)
			ch := storetest.MustCreateChannel(t, a, parley.PlatformWhatsApp)
			for round := range 4 {
				sender := fmt.Sprintf("4930%d", round)
				var wg sync.WaitGroup
				results := make([][]parley.IngestResult, 2)
				for i, st := range []*store.Store{a, b} {
					wg.Go(func() {
						var err error
						ev := storetest.MessageEvent(ch, sender, fmt.Sprintf("w-%d-%d", round, i), "hallo", time.Now())
						if results[i], err = st.Ingest(ctx, []*parley.InboundEvent{ev}); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
				if t.Failed() {
					return
				}
				if results[0][0].Contact.ID != results[1][0].Contact.ID || results[0][0].Conversation.ID != results[1][0].Conversation.ID {
					t.Fatalf("round %d: two contacts or tickets: %+v / %+v", round, results[0][0], results[1][0])
				}
				var contacts int
				a.Reader().QueryRow(`SELECT COUNT(*) FROM identities WHERE value = $1`, sender).Scan(&contacts)
				if contacts != 1 {
					t.Fatalf("round %d: %d identities", round, contacts)
				}
			}
		})
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	ctx := context.Background()
	_, err := store.Open(ctx, store.Config{DSN: "sqlite:" + t.TempDir() + "/x.db", SecretKey: []byte("short")})
	if parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("short key: %v", err)
	}
	_, err = store.Open(ctx, store.Config{SecretKey: storetest.MustKey(t)})
	if parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("empty DSN: %v", err)
	}
	_, err = store.Open(ctx, store.Config{DSN: "sqlite::memory:", SecretKey: storetest.MustKey(t)})
	if parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("in-memory DSN: %v", err)
	}
}

func TestOpenCreatesTheDataDirectory(t *testing.T) {
	dsn := "sqlite:" + t.TempDir() + "/data/nested/parley.db"
	if err := store.Migrate(context.Background(), dsn); err != nil {
		t.Fatal(err)
	}
}

// Several nodes ingesting shuffled, overlapping batches (redeliveries
// included) must end with each message stored once, one contact and one
// active ticket per customer, and unread counts that add up.
func TestConcurrentShuffledIngestKeepsInvariants(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.dsn(t)
			nodes := []*store.Store{storetest.MustOpenDSN(t, dsn), storetest.MustOpenDSN(t, dsn)}
			ch := storetest.MustCreateChannel(t, nodes[0], parley.PlatformMessenger)
			const customers, messages = 12, 240
			var all []*parley.InboundEvent
			for i := range messages {
				all = append(all, storetest.MessageEvent(ch, fmt.Sprintf("cust-%d", i%customers), fmt.Sprintf("mid-%d", i), "hi", time.Now()))
			}
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(w), 7))
					for range 6 {
						batch := make([]*parley.InboundEvent, 60)
						for i := range batch {
							ev := *all[rng.IntN(len(all))] // each node decodes its own copy
							batch[i] = &ev
						}
						if _, err := nodes[w%2].Ingest(ctx, batch); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			db := nodes[0].Reader()
			var stored, distinctIDs, contacts, active, unread int
			db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT external_id) FROM messages WHERE direction = 'in'`).Scan(&stored, &distinctIDs)
			db.QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&contacts)
			db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(unread_count), 0) FROM conversations WHERE status <> 'closed'`).Scan(&active, &unread)
			if stored != distinctIDs || contacts > customers || active != contacts || unread != stored {
				t.Fatalf("stored %d (distinct %d), contacts %d, active tickets %d, unread %d", stored, distinctIDs, contacts, active, unread)
			}
		})
	}
}

// Planned searches (PostgreSQL) find the newest matches whether they lie
// in the recent window, only further back (rare), or are common further back.
func TestSearchFindsNewestMatchesAtEveryStep(t *testing.T) {
	defer store.SetSearchPlan(20, 5)()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.MustOpenDSN(t, e.dsn(t))
			ch := storetest.MustCreateChannel(t, st, parley.PlatformSMS)
			boss := storetest.MustCreateAgent(t, st, parley.RoleAdmin)
			var batch []*parley.InboundEvent
			text := func(i int) string {
				switch {
				case i == 3:
					return "rare needle 退款"
				case i < 30:
					return fmt.Sprintf("old common haystack %d", i)
				}
				return fmt.Sprintf("recent chatter %d", i)
			}
			for i := range 100 {
				batch = append(batch, storetest.MessageEvent(ch, "c", fmt.Sprintf("m%d", i), text(i), time.Now()))
			}
			res := storetest.MustIngest(t, st, batch...)
			cases := []struct {
				q     string
				want  int // hits
				first int // index of the newest hit's event
			}{{"chatter", 5, 99}, {"needle", 1, 3}, {"退款", 1, 3}, {"haystack", 5, 29}, {"nothing", 0, 0}}
			for _, c := range cases {
				got, err := st.Search(ctx, parley.SearchQuery{Text: c.q, AgentID: boss.ID, Limit: 5})
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Messages) != c.want || (c.want > 0 && got.Messages[0].MessageID != res[c.first].Message.ID) {
					t.Errorf("%q: %d hits %+v, want %d starting with event %d", c.q, len(got.Messages), got.Messages, c.want, c.first)
				}
			}
		})
	}
}
