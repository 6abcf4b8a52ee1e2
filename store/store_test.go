package store_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) parley.Store { return storetest.MustOpenSQLite(tb) })
}

func TestPostgres(t *testing.T) {
	schema := storetest.PostgresSchemas(t)
	storetest.Run(t, func(tb testing.TB) parley.Store { return storetest.MustOpenDSN(tb, schema(tb)) })
}
