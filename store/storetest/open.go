// Package storetest is the store's test suite, run against every engine
// (Run), plus helpers other packages' tests use to get a real store
// (MustOpenSQLite, MustOpenPostgres) and to load benchmark data (Seed).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for creating test databases
	"github.com/parleyhq/parley/store"
)

// DefaultPostgresURL is the server tests use unless PARLEY_TEST_POSTGRES
// names another. Each store gets its own database, dropped afterwards.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// MustKey returns a random 32-byte secret key.
func MustKey(tb testing.TB) []byte {
	tb.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		tb.Fatal(err)
	}
	return key
}

// MustOpenSQLite opens a store on a new SQLite file in a temporary
// directory, closed when the test ends.
func MustOpenSQLite(tb testing.TB) *store.Store {
	tb.Helper()
	return MustOpenDSN(tb, "sqlite:"+filepath.Join(tb.TempDir(), "parley.db"))
}

// MustOpenDSN opens (and migrates) a store on dsn, closed when the test ends.
func MustOpenDSN(tb testing.TB, dsn string) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), store.Config{DSN: dsn, SecretKey: MustKey(tb)})
	if err != nil {
		tb.Fatalf("opening store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// MustOpenPostgres opens a store on a new, uniquely named PostgreSQL
// database that is dropped when the test ends. Without a server the test is
// skipped, except under CI=true where that is a failure.
func MustOpenPostgres(tb testing.TB) *store.Store {
	tb.Helper()
	return MustOpenDSN(tb, MustCreatePostgresDB(tb))
}

// MustCreatePostgresDB creates an empty database for one test and returns
// its URL; it is dropped when the test ends.
func MustCreatePostgresDB(tb testing.TB) string {
	tb.Helper()
	dsn, drop, err := CreatePostgresDB()
	if errors.Is(err, errNoPostgres) {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required under CI: %v", err)
		}
		tb.Skipf("PostgreSQL not available: %v", err)
	} else if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Errorf("dropping test database: %v", err)
		}
	})
	return dsn
}

var errNoPostgres = errors.New("PostgreSQL server not reachable")

// CreatePostgresDB creates a uniquely named empty database on the test
// server and returns its URL and a function dropping it, for data that
// outlives one test (benchmarks sharing a seeded database).
func CreatePostgresDB() (dsn string, drop func() error, err error) {
	base := os.Getenv("PARLEY_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgresURL
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", errNoPostgres, err)
	}
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "parley_test_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("creating test database: %w", err)
	}
	drop = func() error {
		defer admin.Close()
		_, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		return err
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + name
	// Tests need no durability across power cuts: skip the fsync per commit.
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return strings.Replace(u.String(), "postgresql://", "postgres://", 1), drop, nil
}

// PostgresSchemas creates one database for a whole test (dropped when t
// ends) and returns a function giving each caller a DSN of its own fresh
// schema in it: much cheaper than a database per subtest.
func PostgresSchemas(t *testing.T) func(tb testing.TB) string {
	t.Helper()
	dsn := MustCreatePostgresDB(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return func(tb testing.TB) string {
		tb.Helper()
		schema := fmt.Sprintf("s%d", next())
		if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
			tb.Fatalf("creating schema: %v", err)
		}
		tb.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
		return dsn + "&search_path=" + schema
	}
}
