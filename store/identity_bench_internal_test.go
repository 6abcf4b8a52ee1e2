package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// benchIdentities is how many identities the resolution benchmark holds
// (half phones, half e-mail addresses); PARLEY_BENCH_IDENTITIES overrides.
func benchIdentities() int {
	if n, err := strconv.Atoi(os.Getenv("PARLEY_BENCH_IDENTITIES")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// seedIdentities fills a store with n/2 contacts, each with a phone
// (+49151 + 8 digits) and an e-mail identity, in a few set-based statements.
func seedIdentities(tb testing.TB, s *Store, n int) {
	tb.Helper()
	ctx := context.Background()
	contacts := n / 2
	gen := `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1) SELECT n FROM seq`
	cat := func(a, b string) string { return a + " || " + b }
	num := "CAST(n AS TEXT)"
	phone := cat("'+49151'", "substr('00000000' || "+num+", -8, 8)")
	if s.d.name() == "postgres" {
		gen = `SELECT n FROM generate_series(1, $1) AS n`
		phone = "'+49151' || lpad(" + num + ", 8, '0')"
	}
	now := s.d.timeArg(time.Now().UTC())
	stmts := []string{
		`INSERT INTO contacts (id, name, email, phone, created_at, updated_at) SELECT n, 'Customer ' || ` + num + `, 'c' || ` + num + ` || '@example.com', ` + phone + `, $2, $2 FROM (` + gen + `) g`,
		`INSERT INTO identities (contact_id, kind, scope_channel_id, value, verified, created_at) SELECT n, 'phone', 0, ` + phone + `, TRUE, $2 FROM (` + gen + `) g`,
		`INSERT INTO identities (contact_id, kind, scope_channel_id, value, verified, created_at) SELECT n, 'email', 0, 'c' || ` + num + ` || '@example.com', TRUE, $2 FROM (` + gen + `) g`,
	}
	for _, q := range stmts {
		q, args := s.d.rebind(q, []any{contacts, now})
		if _, err := s.writer.ExecContext(ctx, q, args...); err != nil {
			tb.Fatalf("seeding: %v", err)
		}
	}
	if s.d.name() == "postgres" {
		s.writer.ExecContext(ctx, `SELECT setval('contacts_id_seq', $1)`, contacts)
		s.writer.ExecContext(ctx, `ANALYZE`)
	}
}

// BenchmarkIdentityResolution measures what identity resolution costs one
// inbound message when the database holds benchIdentities identities: the
// sender's number arrives in national format, is normalised with the
// channel's region and looked up among the identities. "ingest" is the
// whole Ingest of one message of a known customer (resolution, ticket,
// message, search index) for scale.
func BenchmarkIdentityResolution(b *testing.B) {
	engines := map[string]func(tb testing.TB) string{
		"sqlite":   func(tb testing.TB) string { return "sqlite:" + tb.TempDir() + "/bench.db" },
		"postgres": benchPostgresDSN,
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			s, err := Open(context.Background(), Config{DSN: engines[name](b), SecretKey: make([]byte, 32)})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			n := benchIdentities()
			seedIdentities(b, s, n)
			ch := &parley.Channel{Platform: parley.PlatformSMS, Name: "SMS", Config: map[string]string{identity.ConfigDefaultRegion: "DE"}}
			if err := s.CreateChannel(context.Background(), ch); err != nil {
				b.Fatal(err)
			}
			b.Run("normalize", func(b *testing.B) { benchNormalize(b, ch, n/2) })
			b.Run(fmt.Sprintf("lookup/identities=%d", n), func(b *testing.B) { benchLookup(b, s, ch, n/2, 1) })
			b.Run(fmt.Sprintf("lookup_batch100/identities=%d", n), func(b *testing.B) { benchLookup(b, s, ch, n/2, 100) })
			b.Run(fmt.Sprintf("ingest/identities=%d", n), func(b *testing.B) { benchIngest(b, s, ch, n/2) })
		})
	}
}

func nationalNumber(rng *rand.Rand, contacts int) string {
	return fmt.Sprintf("0151 %08d", 1+rng.IntN(contacts))
}

func benchNormalize(b *testing.B, ch *parley.Channel, contacts int) {
	rng := rand.New(rand.NewPCG(5, 6))
	b.ReportAllocs()
	for b.Loop() {
		ev := &parley.InboundEvent{ChannelID: ch.ID, Sender: parley.Sender{Kind: parley.IdentityPhone, ID: nationalNumber(rng, contacts), Verified: true}}
		identity.NormalizeInbound(ev, ch.Config)
	}
}

// benchLookup resolves batch senders per query, as Ingest does for a
// batch; with batch > 1 it reports ns/msg.
func benchLookup(b *testing.B, s *Store, ch *parley.Channel, contacts, batch int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	keys := make([]identityKey, batch)
	for b.Loop() {
		for i := range keys {
			ev := &parley.InboundEvent{ChannelID: ch.ID, Sender: parley.Sender{Kind: parley.IdentityPhone, ID: nationalNumber(rng, contacts), Verified: true}}
			identity.NormalizeInbound(ev, ch.Config)
			keys[i] = senderKey(ev)
		}
		err := s.read(ctx, func(t *tx) error {
			owners, err := t.findIdentityOwners(ctx, keys)
			for _, k := range keys {
				if err == nil && owners[k] == 0 {
					err = fmt.Errorf("%s not found", k.value)
				}
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if batch > 1 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/msg")
	}
}

func benchIngest(b *testing.B, s *Store, ch *parley.Channel, contacts int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		ev := &parley.InboundEvent{Kind: parley.InboundMessage, ChannelID: ch.ID, Platform: ch.Platform, ExternalID: "b-" + strconv.Itoa(i),
			Sender: parley.Sender{Kind: parley.IdentityPhone, ID: nationalNumber(rng, contacts), Verified: true}, Direction: parley.DirectionIn,
			Timestamp: time.Now(), Text: "where is my parcel"}
		res, err := s.Ingest(ctx, []*parley.InboundEvent{ev})
		if err != nil || res[0].ContactCreated {
			b.Fatalf("ingest: %v, created=%v", err, res[0].ContactCreated)
		}
	}
}

// benchPostgresDSN creates a database for the benchmark, dropped after it.
// (storetest has the same helper, but importing it here would be a cycle.)
func benchPostgresDSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("PARLEY_TEST_POSTGRES")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required under CI: %v", err)
		}
		tb.Skipf("PostgreSQL not available: %v", err)
	}
	name := fmt.Sprintf("parley_bench_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}
