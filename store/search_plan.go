package store

import (
	"context"
	"strconv"
)

// rareMatches is the most matches a search collects through the index
// before it calls the terms common.
const rareMatches = 1000

// searchScope is how a search query restricts rows of a search table: by
// the ids of all matches (rare terms), or by the match condition for a
// newest-first walk (common terms). Planners cannot tell the two apart —
// PostgreSQL guesses a fixed share of rows for any prefix query — so the
// store probes: it asks the index for up to rareMatches+1 ids.
type searchScope struct {
	ids     []int64 // rare: every matching id
	common  bool
	planned bool // no probe: the engine plans this query well by itself
}

// probeSearch decides the scope of a search; without probe (see
// dialect.searchNeedsProbe) the engine's own plan is used.
func (t *tx) probeSearch(ctx context.Context, table, match string, probe bool) (searchScope, error) {
	if !probe {
		return searchScope{planned: true}, nil
	}
	var args argList
	ids, err := t.int64s(ctx, `SELECT s.rowid FROM `+table+` s WHERE `+t.s.d.searchMatch("s", args.add(match))+
		` LIMIT `+strconv.Itoa(rareMatches+1), args...)
	if err != nil {
		return searchScope{}, t.s.wrap(err, "searching %s", table)
	}
	if len(ids) > rareMatches {
		return searchScope{common: true}, nil
	}
	return searchScope{ids: ids}, nil
}

// condition is the WHERE condition for the search table aliased s; ok is
// false when nothing can match.
func (sc searchScope) condition(t *tx, match string, args *argList) (cond string, ok bool) {
	if sc.planned {
		return t.s.d.searchMatch("s", args.add(match)), true
	}
	if sc.common {
		return t.s.d.searchMatchInOrder("s", args.add(match)), true
	}
	if len(sc.ids) == 0 {
		return "", false
	}
	return "s.rowid IN " + in(args, sc.ids), true
}
