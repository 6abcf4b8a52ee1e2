package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

// Benchmarks run on both engines. The inbox and search benchmarks work on
// a seeded database whose size PARLEY_BENCH_MESSAGES sets (default 50,000
// messages, one contact per 10 messages); the design target is measured
// with PARLEY_BENCH_MESSAGES=1000000.

func benchEngines(b *testing.B, run func(b *testing.B, dsn string)) {
	b.Run("sqlite", func(b *testing.B) { run(b, "sqlite:"+b.TempDir()+"/bench.db") })
	b.Run("postgres", func(b *testing.B) { run(b, storetest.MustCreatePostgresDB(b)) })
}

// BenchmarkIngest measures batched ingestion: each op is one batch of
// 500 customer messages, a fifth of them from new customers.
func BenchmarkIngest(b *testing.B) {
	benchEngines(b, func(b *testing.B, dsn string) {
		ctx := context.Background()
		st := storetest.MustOpenDSN(b, dsn)
		ch := storetest.MustCreateChannel(b, st, parley.PlatformWhatsApp)
		const batchSize = 500
		rng := rand.New(rand.NewPCG(1, 2))
		customers := 0
		b.ResetTimer()
		start := time.Now()
		for i := 0; b.Loop(); i++ {
			events := make([]*parley.InboundEvent, batchSize)
			for j := range events {
				n := i*batchSize + j
				customer := rng.IntN(customers + 1)
				if customer == customers || rng.IntN(5) == 0 {
					customers++
					customer = customers
				}
				events[j] = storetest.MessageEvent(ch, fmt.Sprintf("c%d", customer), fmt.Sprintf("b%d", n),
					storetest.SeedText(rng, n), time.Now())
			}
			if _, err := st.Ingest(ctx, events); err != nil {
				b.Fatal(err)
			}
			if i == 2 {
				warmUp(b, st)
			}
		}
		b.ReportMetric(float64(b.N*batchSize)/time.Since(start).Seconds(), "msgs/s")
	})
}

// warmUp gathers planner statistics once the tables hold some rows, as
// autovacuum does in production: a database fresh from migration has none,
// and PostgreSQL then guesses that a 500-value IN list matches the whole
// table and scans it.
func warmUp(b *testing.B, st *store.Store) {
	if _, err := st.Writer().Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

// seeded is one seeded database per engine, shared by the read benchmarks.
var seeded sync.Map // engine → *seededStore

type seededStore struct {
	once   sync.Once
	drop   func() error
	st     *store.Store
	agent  *parley.Agent
	err    error
	loaded time.Duration
}

func benchMessages() int {
	if n, err := strconv.Atoi(os.Getenv("PARLEY_BENCH_MESSAGES")); err == nil && n > 0 {
		return n
	}
	return 50_000
}

// seededDB returns the engine's seeded store, loading it on first use. Its
// database outlives the benchmark that loaded it: TestMain drops it.
func seededDB(b *testing.B, engine string, create func() (string, func() error, error)) *seededStore {
	v, _ := seeded.LoadOrStore(engine, &seededStore{})
	s := v.(*seededStore)
	s.once.Do(func() {
		ctx := context.Background()
		var dsn string
		if dsn, s.drop, s.err = create(); s.err != nil {
			return
		}
		s.st, s.err = store.Open(ctx, store.Config{DSN: dsn, SecretKey: storetest.MustKey(b)})
		if s.err != nil {
			return
		}
		ch := &parley.Channel{Platform: parley.PlatformWhatsApp, Name: "seed"}
		if s.err = s.st.CreateChannel(ctx, ch); s.err != nil {
			return
		}
		s.agent = &parley.Agent{Email: "bench@example.com", Name: "Bench", Role: parley.RoleAgent}
		if s.err = s.st.CreateAgent(ctx, s.agent); s.err != nil {
			return
		}
		n := benchMessages()
		start := time.Now()
		s.err = storetest.Seed(ctx, s.st, ch.ID, max(1, n/10), n)
		s.loaded = time.Since(start)
		if s.err == nil {
			_, s.err = s.st.Writer().Exec("ANALYZE")
		}
		b.Logf("%s: seeded %d messages in %v (%.0f msgs/s)", engine, n, s.loaded, float64(n)/s.loaded.Seconds())
	})
	if s.err != nil {
		b.Fatal(s.err)
	}
	return s
}

func benchSeeded(b *testing.B, run func(b *testing.B, s *seededStore)) {
	b.Run("sqlite", func(b *testing.B) {
		run(b, seededDB(b, "sqlite", func() (string, func() error, error) {
			dir, err := os.MkdirTemp("", "parley-bench")
			return "sqlite:" + dir + "/bench.db", func() error { return os.RemoveAll(dir) }, err
		}))
	})
	b.Run("postgres", func(b *testing.B) {
		run(b, seededDB(b, "postgres", storetest.CreatePostgresDB))
	})
}

// TestMain drops the databases the benchmarks seeded and shared.
func TestMain(m *testing.M) {
	code := m.Run()
	seeded.Range(func(_, v any) bool {
		if s := v.(*seededStore); s.st != nil {
			s.st.Close()
			s.drop()
		}
		return true
	})
	os.Exit(code)
}

// BenchmarkFindConversations measures the first page of the open inbox,
// newest first, with contacts and tags.
func BenchmarkFindConversations(b *testing.B) {
	benchSeeded(b, func(b *testing.B, s *seededStore) {
		ctx := context.Background()
		f := parley.ConversationFilter{View: parley.ViewAll, AgentID: s.agent.ID,
			Statuses: []parley.Status{parley.StatusOpen, parley.StatusPending}, Page: parley.Page{Limit: 50}}
		for b.Loop() {
			page, _, err := s.st.FindConversations(ctx, f)
			if err != nil || len(page) == 0 {
				b.Fatalf("page of %d: %v", len(page), err)
			}
		}
	})
}

// BenchmarkFindConversationsUnread measures the same page plus what the
// API adds for the agent asking: whether each ticket is unread for them (one
// query for the page), with half of the page read.
func BenchmarkFindConversationsUnread(b *testing.B) {
	benchSeeded(b, func(b *testing.B, s *seededStore) {
		ctx := context.Background()
		f := parley.ConversationFilter{View: parley.ViewAll, AgentID: s.agent.ID,
			Statuses: []parley.Status{parley.StatusOpen, parley.StatusPending}, Page: parley.Page{Limit: 50}}
		page, _, err := s.st.FindConversations(ctx, f)
		if err != nil || len(page) == 0 {
			b.Fatalf("page of %d: %v", len(page), err)
		}
		ids := make([]int64, len(page))
		for i, c := range page {
			ids[i] = c.ID
			if i%2 == 0 {
				if err := markLastRead(ctx, s.st, c.ID, s.agent.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
		for b.Loop() {
			page, _, err := s.st.FindConversations(ctx, f)
			if err != nil || len(page) == 0 {
				b.Fatalf("page of %d: %v", len(page), err)
			}
			unread, err := s.st.UnreadConversations(ctx, s.agent.ID, ids)
			if err != nil || len(unread) == len(ids) {
				b.Fatalf("unread %d of %d: %v", len(unread), len(ids), err)
			}
		}
	})
}

func markLastRead(ctx context.Context, st *store.Store, convID, agentID int64) error {
	msgs, _, err := st.FindMessages(ctx, parley.MessageFilter{ConversationID: convID, Page: parley.Page{Limit: 200}})
	if err != nil || len(msgs) == 0 {
		return err
	}
	return st.MarkConversationRead(ctx, convID, agentID, msgs[len(msgs)-1].ID)
}

// BenchmarkSearch measures searches of a common Chinese word, a common
// English word and an exact order number.
func BenchmarkSearch(b *testing.B) {
	benchSeeded(b, func(b *testing.B, s *seededStore) {
		ctx := context.Background()
		for _, q := range []string{"退款", "refund", "A0001234", "注文"} {
			b.Run(q, func(b *testing.B) {
				for b.Loop() {
					res, err := s.st.Search(ctx, parley.SearchQuery{Text: q, AgentID: s.agent.ID})
					if err != nil {
						b.Fatalf("search %q: %v", q, err)
					} else if len(res.Messages) == 0 {
						b.Fatalf("search %q found nothing", q)
					}
				}
			})
		}
	})
}
