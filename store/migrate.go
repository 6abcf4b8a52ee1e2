package store

import (
	"context"
	"embed"
	"io/fs"
	"path"
	"sort"
	"time"

	"github.com/parleyhq/parley"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrate applies every migration file of the engine not yet recorded in
// schema_migrations, in name order, each in its own transaction. Files are
// forward-only: a released file is never edited, a change is a new file.
func (s *Store) migrate(ctx context.Context) error {
	dir := path.Join("migrations", s.d.name())
	names, err := fs.Glob(migrationFiles, dir+"/*.sql")
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "listing migrations")
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.migrateFile(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) migrateFile(ctx context.Context, name string) error {
	body, err := migrationFiles.ReadFile(name)
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "reading migration %s", name)
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return parley.WrapError(parley.EUNAVAILABLE, err, "starting migration %s", name)
	}
	defer tx.Rollback()
	// Several nodes may start at once: the lock makes the others wait, then
	// see the migration recorded.
	if lock := s.d.migrationLock(); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return parley.WrapError(parley.EINTERNAL, err, "locking migrations")
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "creating schema_migrations")
	}
	base := path.Base(name)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = $1`, base).Scan(&n); err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "reading schema_migrations")
	} else if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "applying migration %s", name)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`,
		base, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "recording migration %s", name)
	}
	if err := tx.Commit(); err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "committing migration %s", name)
	}
	s.log.Info("applied migration", "engine", s.d.name(), "name", base)
	return nil
}
