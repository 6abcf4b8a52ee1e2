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

// SetSearchPlan shrinks the search window and the rare-match bound so
// tests reach every step of a planned search with little data.
func SetSearchPlan(window int64, rare int) (restore func()) {
	oldWindow, oldRare := searchWindow, rareMatches
	searchWindow, rareMatches = window, rare
	return func() { searchWindow, rareMatches = oldWindow, oldRare }
}

// ThreadCustomerQuery is the own-comment ticket lookup, for plan tests.
const ThreadCustomerQuery = threadCustomerQuery
