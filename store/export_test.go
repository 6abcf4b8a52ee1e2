package store

import "database/sql"

// Reader exposes the read pool to the store's own tests, for checks on raw
// columns.
func (s *Store) Reader() *sql.DB { return s.reader }

// MigrationFileCount is the number of migration files of an engine.
func MigrationFileCount(engine string) int {
	names, _ := migrationFiles.ReadDir("migrations/" + engine)
	return len(names)
}

// Writer exposes the write pool to benchmarks, to gather statistics.
func (s *Store) Writer() *sql.DB { return s.writer }
