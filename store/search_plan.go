package store

import (
	"context"
	"database/sql"
	"strconv"
)

// Searches want the newest matches. Where the engine cannot be trusted to
// plan that (searchNeedsPlan), the store plans it in two steps:
//  1. walk the newest searchWindow rows of the search table in id order,
//     testing each: terms common enough fill the page here, cheaply;
//  2. otherwise the terms are rare among recent rows: ask the index for
//     the older matches (up to rareMatches ids) and fetch those by id, or,
//     if there are more (a term common long ago), walk on in id order.
var (
	searchWindow int64 = 2000
	rareMatches        = 1000
)

// searchBuild returns a search query for the condition cond on the search
// table aliased s, returning at most limit rows.
type searchBuild func(cond string, args *argList, limit int) string

// runSearch runs a search built by build and scans its rows with scan.
func runSearch[T any](ctx context.Context, t *tx, table string, sq searchQuery, limit int, build searchBuild, scan func(*sql.Rows) (T, error)) ([]T, error) {
	run := func(cond string, args argList, limit int) ([]T, error) {
		q := build(cond, &args, limit)
		rows, err := t.query(ctx, q, args...)
		if err != nil {
			return nil, t.s.wrap(err, "searching %s", table)
		}
		defer rows.Close()
		var out []T
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, t.s.wrap(err, "scanning %s hit", table)
			}
			out = append(out, v)
		}
		return out, t.s.wrap(rows.Err(), "searching %s", table)
	}
	if !t.s.d.searchNeedsPlan() {
		var args argList
		return run(t.s.d.searchMatch("s", args.add(sq.match)), args, limit)
	}
	var newest int64
	if err := t.queryRow(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM `+table).Scan(&newest); err != nil {
		return nil, t.s.wrap(err, "searching %s", table)
	}
	edge := newest - searchWindow
	var args argList
	hits, err := run("s.rowid > "+args.add(edge)+" AND "+t.s.d.searchMatchInOrder("s", args.add(sq.match)), args, limit)
	if err != nil || len(hits) >= limit || edge <= 0 {
		return hits, err
	}
	scope, err := t.probeSearch(ctx, table, sq.match, edge)
	if err != nil {
		return nil, err
	}
	args = argList{}
	cond, ok := scope.condition(t, sq.match, &args)
	if !ok {
		return hits, nil
	}
	older, err := run(cond+" AND s.rowid <= "+args.add(edge), args, limit-len(hits))
	return append(hits, older...), err
}

// searchScope is how a search query restricts the older rows of a search
// table: by the ids of all matches (rare terms), or by the match condition
// for a walk in id order (common terms).
type searchScope struct {
	ids    []int64 // rare: every matching id
	common bool
}

// probeSearch asks the index for up to rareMatches+1 ids matching at or
// below id upTo, to tell rare terms from common ones.
func (t *tx) probeSearch(ctx context.Context, table, match string, upTo int64) (searchScope, error) {
	var args argList
	// Materialized, so the planner answers the match from the index: with
	// the LIMIT in sight it would rather walk the table hoping to stop early.
	ids, err := t.int64s(ctx, `WITH m AS MATERIALIZED (SELECT s.rowid FROM `+table+` s WHERE `+t.s.d.searchMatch("s", args.add(match))+
		` AND s.rowid <= `+args.add(upTo)+`) SELECT rowid FROM m LIMIT `+strconv.Itoa(rareMatches+1), args...)
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
	if sc.common {
		return t.s.d.searchMatchInOrder("s", args.add(match)), true
	}
	if len(sc.ids) == 0 {
		return "", false
	}
	return "s.rowid IN " + in(args, sc.ids), true
}
