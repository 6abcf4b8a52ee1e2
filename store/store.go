// Package store keeps Parley's data in SQL: one code base for SQLite (the
// embedded default, pure Go) and PostgreSQL (production). *Store implements
// parley.Store. What differs between the engines lives in dialect.go; the
// schema of each engine lives in migrations/<engine>/.
//
// Conventions callers rely on:
//   - Ingest (ingest.go) writes a whole batch in one transaction; message
//     events name the customer in Sender (echoes too); reactions, edits and
//     deletes name their target by ReplyTo, else ExternalID; malformed
//     events and events of unknown channels are skipped with an empty result.
//   - Not found is ENOTFOUND; a taken unique value (agent e-mail, team name,
//     an identity of another contact, an external id) is ECONFLICT; a stale
//     conversation version is ECONFLICT with the current conversation as
//     Details.
//   - CountConversations counts open and pending tickets unless told
//     otherwise; Search refuses (EFORBIDDEN) an agent id that does not exist.
//   - Times are stored with microsecond precision, in UTC.
package store

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/secret"
)

// Config says which database to open and how to seal channel secrets.
type Config struct {
	// DSN is a file path or "sqlite:path" for SQLite, or a
	// "postgres://…" / "postgresql://…" URL for PostgreSQL.
	DSN string
	// SecretKey is the 32-byte key channel secrets are sealed with.
	SecretKey []byte
	// Logger receives slow or unexpected events; nil means slog.Default().
	Logger *slog.Logger
}

// Store is Parley's SQL store. Writes go through one connection on SQLite
// (SQLite has one writer anyway; queueing in Go is cheaper than
// busy-waiting) and through the pool on PostgreSQL; reads use a pool.
type Store struct {
	// Clock stamps every write; tests replace it to fix time.
	Clock parley.Clock

	d      dialect
	writer *sql.DB
	reader *sql.DB
	box    *secret.Box
	log    *slog.Logger

	analyze analyzer
}

var _ parley.Store = (*Store)(nil)

// Open connects to the database named by cfg.DSN and applies any pending
// migrations.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	box, err := secret.NewBox(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	s, err := connect(ctx, cfg.DSN)
	if err != nil {
		return nil, err
	}
	s.box = box
	if cfg.Logger != nil {
		s.log = cfg.Logger
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Migrate applies pending migrations to the database named by dsn and
// closes it again; it is what `parley migrate` runs.
func Migrate(ctx context.Context, dsn string) error {
	s, err := connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.migrate(ctx)
}

// Engine names the database engine in use: "sqlite" or "postgres".
func (s *Store) Engine() string { return s.d.name() }

// Close closes the database connections.
func (s *Store) Close() error {
	err := s.writer.Close()
	if s.reader != s.writer {
		if rerr := s.reader.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

func connect(ctx context.Context, dsn string) (*Store, error) {
	var d dialect
	var err error
	s := &Store{Clock: parley.SystemClock{}, log: slog.Default()}
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d = postgresDialect{}
		s.writer, s.reader, err = openPostgres(dsn)
	case dsn == "":
		return nil, parley.Errorf(parley.EINVALID, "database DSN is empty")
	default:
		d = sqliteDialect{}
		s.writer, s.reader, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	s.d = d
	if err := s.writer.PingContext(ctx); err != nil {
		s.Close()
		return nil, parley.WrapError(parley.EUNAVAILABLE, err, "connecting to %s", d.name())
	}
	return s, nil
}

// now is the store's idea of the current time, truncated to the
// microsecond precision both engines keep.
func (s *Store) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }
