package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/parleyhq/parley"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between SQLite and PostgreSQL. The
// SQL elsewhere is shared: both engines accept $n placeholders, RETURNING,
// ON CONFLICT, partial indexes and multi-row VALUES.
type dialect interface {
	name() string
	// timeArg turns a time into the column's representation: unix
	// microseconds on SQLite, timestamptz on PostgreSQL.
	timeArg(t time.Time) any
	// rebind adapts a query written with $n placeholders to the driver.
	rebind(q string, args []any) (string, []any)
	// migrationLock is a statement serialising migrations across nodes.
	migrationLock() string
	// keyLock is a statement taking a transaction-scoped lock on the
	// string $1, or "" where the single writer already serialises.
	keyLock() string
	// allocateIDs reserves n ids of table (and, for conversations, n
	// numbers) so that a batch can insert rows whose ids it already knows.
	allocateIDs(ctx context.Context, tx *tx, table string, n int) ([]int64, error)
	allocateNumbers(ctx context.Context, tx *tx, n int) ([]int64, error)
	isUniqueViolation(err error) bool
	// isRetryable reports errors after which the whole transaction may be
	// run again (deadlocks, serialisation failures).
	isRetryable(err error) bool
	// wantsAnalyze says whether the planner depends on fresh statistics
	// (see analyze.go).
	wantsAnalyze() bool
	// batchesReceipts says whether a batch's receipts are applied in one
	// UPDATE … FROM (VALUES …): it saves PostgreSQL a round trip per
	// receipt; SQLite has no round trips to save and measured three times
	// slower with the join than with one indexed UPDATE per message
	// (BenchmarkIngestReceipts).
	batchesReceipts() bool
	searchDialect
}

// sqliteDialect is the embedded engine.
type sqliteDialect struct{}

func (sqliteDialect) name() string            { return "sqlite" }
func (sqliteDialect) timeArg(t time.Time) any { return t.UnixMicro() }
func (sqliteDialect) migrationLock() string   { return "" }
func (sqliteDialect) keyLock() string         { return "" }
func (sqliteDialect) rebind(q string, args []any) (string, []any) {
	return rebindPositional(q, args)
}

// allocateIDs relies on SQLite's single writer: the write transaction holds
// the database lock, so max(id)+1… cannot be taken by anyone else.
func (sqliteDialect) allocateIDs(ctx context.Context, t *tx, table string, n int) ([]int64, error) {
	return t.nextAfterMax(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table, n)
}

func (sqliteDialect) allocateNumbers(ctx context.Context, t *tx, n int) ([]int64, error) {
	return t.nextAfterMax(ctx, "SELECT COALESCE(MAX(number), 0) FROM conversations", n)
}

func (sqliteDialect) isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// wantsAnalyze is false: without statistics SQLite's planner prefers
// indexes anyway.
func (sqliteDialect) wantsAnalyze() bool { return false }

func (sqliteDialect) batchesReceipts() bool { return false }

func (sqliteDialect) isRetryable(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED)
}

// openSQLite opens one writer connection (immediate transactions, so a
// writer never fails half-way on a lock upgrade) and a read-only pool.
// WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode
// survives a crashed process and loses at most the last commits on power
// loss.
func openSQLite(path string) (writer, reader *sql.DB, err error) {
	if path == ":memory:" || strings.Contains(path, "mode=memory") {
		// The writer and the readers are separate connections: they would
		// each get their own empty in-memory database.
		return nil, nil, parley.Errorf(parley.EINVALID, "in-memory SQLite is not supported; use a file (a temporary one in tests)")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, nil, parley.WrapError(parley.EINVALID, err, "creating the directory of %s", path)
		}
	}
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)"
	writer, err = sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-32000)&_txlock=immediate")
	if err != nil {
		return nil, nil, parley.WrapError(parley.EINVALID, err, "opening sqlite %s", path)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	reader, err = sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-16000)&_pragma=query_only(1)")
	if err != nil {
		writer.Close()
		return nil, nil, parley.WrapError(parley.EINVALID, err, "opening sqlite %s", path)
	}
	readers := max(2, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	reader.SetConnMaxIdleTime(0)
	return writer, reader, nil
}

// postgresDialect is the production engine.
type postgresDialect struct{}

func (postgresDialect) name() string            { return "postgres" }
func (postgresDialect) timeArg(t time.Time) any { return t }
func (postgresDialect) rebind(q string, args []any) (string, []any) {
	return q, args
}
func (postgresDialect) migrationLock() string {
	return "SELECT pg_advisory_xact_lock(7303615)" // any constant shared by all nodes
}

// keyLock's first argument keeps its locks apart from migrationLock's.
func (postgresDialect) keyLock() string {
	return "SELECT pg_advisory_xact_lock(7303616, hashtext($1))"
}

func (postgresDialect) allocateIDs(ctx context.Context, t *tx, table string, n int) ([]int64, error) {
	return t.int64s(ctx, fmt.Sprintf("SELECT nextval('%s_id_seq') FROM generate_series(1, $1)", table), n)
}

func (postgresDialect) allocateNumbers(ctx context.Context, t *tx, n int) ([]int64, error) {
	return t.int64s(ctx, "SELECT nextval('conversation_number_seq') FROM generate_series(1, $1)", n)
}

func (postgresDialect) isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

func (postgresDialect) wantsAnalyze() bool { return true }

func (postgresDialect) batchesReceipts() bool { return true }

func (postgresDialect) isRetryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}

func openPostgres(dsn string) (writer, reader *sql.DB, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, nil, parley.WrapError(parley.EINVALID, err, "parsing postgres DSN")
	}
	db, err := sql.Open("pgx", withExecMode(u))
	if err != nil {
		return nil, nil, parley.WrapError(parley.EINVALID, err, "opening postgres")
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, db, nil
}

// withExecMode makes pgx send each statement as one round trip (parse,
// bind, execute) unless the DSN chooses a mode. pgx's default prepares and
// caches a named statement per distinct SQL text; the batched ingest and
// search statements differ in their VALUES and IN lists from call to call,
// so nearly every call paid an extra Parse/Describe round trip and evicted
// the cache (PostgreSQL ingest held at ~1,800 messages/s, waiting in
// Prepare). Statements cast their parameters where the type is ambiguous.
func withExecMode(u *url.URL) string {
	q := u.Query()
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "exec")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// searchDialect is how each engine indexes and matches the terms built by
// search_terms.go: SQLite with FTS5 tables, PostgreSQL with tsvector
// columns under GIN indexes.
type searchDialect interface {
	// searchDoc encodes the terms of one document.
	searchDoc(terms []string) string
	// searchDocPlaceholder wraps the placeholder of an encoded document.
	searchDocPlaceholder(ph string) string
	// searchMatch is the condition "terms of table alias a match ph",
	// answered from the search index.
	searchMatch(alias, ph string) string
	// searchMatchInOrder is the same condition for a walk of the table in
	// id order, for terms so common that the newest matches come first.
	searchMatchInOrder(alias, ph string) string
	// searchNeedsPlan says whether the engine misjudges how many rows
	// search terms match, so the store plans searches itself (see
	// search_plan.go).
	searchNeedsPlan() bool
	// searchQuery encodes parsed query terms for searchMatch.
	searchQuery(terms []queryTerm) string
}

func (sqliteDialect) searchDoc(terms []string) string       { return strings.Join(terms, " ") }
func (sqliteDialect) searchDocPlaceholder(ph string) string { return ph }
func (sqliteDialect) searchMatch(alias, ph string) string   { return alias + ".terms MATCH " + ph }

// searchNeedsPlan is false: FTS5 answers "newest matches first" from its
// index whether the terms are rare or common.
func (sqliteDialect) searchNeedsPlan() bool { return false }

// searchMatchInOrder: FTS5 walks its index in rowid order by itself.
func (d sqliteDialect) searchMatchInOrder(alias, ph string) string { return d.searchMatch(alias, ph) }
func (sqliteDialect) searchQuery(terms []queryTerm) string {
	parts := make([]string, len(terms))
	for i, qt := range terms {
		parts[i] = `"` + strings.Join(qt.words, " ") + `"`
		if qt.prefix {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, " AND ")
}

// maxLexemePositions stays under PostgreSQL's limit of positions kept per
// lexeme in a tsvector.
const maxLexemePositions = 255

// searchDoc builds a tsvector literal ('term':1,4 'other':2) directly, so
// PostgreSQL's own parser (which knows nothing of CJK) is never involved.
func (postgresDialect) searchDoc(terms []string) string {
	positions := map[string][]int{}
	var order []string
	for i, term := range terms {
		pos := min(i+1, 16383)
		if _, ok := positions[term]; !ok {
			order = append(order, term)
		}
		if len(positions[term]) < maxLexemePositions {
			positions[term] = append(positions[term], pos)
		}
	}
	var b strings.Builder
	for i, term := range order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(pgQuote(term))
		for j, p := range positions[term] {
			if j == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String()
}

func (postgresDialect) searchDocPlaceholder(ph string) string { return ph + "::tsvector" }
func (postgresDialect) searchMatch(alias, ph string) string {
	return alias + ".terms @@ " + ph + "::tsquery"
}

// searchNeedsPlan is true: PostgreSQL assumes a fixed share of rows for
// prefix queries (term:*), and even with good estimates it prefers
// collecting every match of a common term through the GIN index and
// sorting them to walking the newest rows until it has enough.
func (postgresDialect) searchNeedsPlan() bool { return true }

// searchMatchInOrder calls the function behind @@, which no index answers,
// so the planner walks the primary key backwards and stops at the limit
// instead of collecting every match through the GIN index.
func (postgresDialect) searchMatchInOrder(alias, ph string) string {
	return "ts_match_vq(" + alias + ".terms, " + ph + "::tsquery)"
}

func (postgresDialect) searchQuery(terms []queryTerm) string {
	parts := make([]string, len(terms))
	for i, qt := range terms {
		words := make([]string, len(qt.words))
		for j, w := range qt.words {
			words[j] = pgQuote(w)
		}
		parts[i] = strings.Join(words, " <-> ")
		if qt.prefix {
			parts[i] += ":*"
		}
		if len(words) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " & ")
}

// pgQuote quotes a term for a tsvector or tsquery literal. Terms hold only
// letters and digits, but quoting keeps the literal safe whatever they hold.
func pgQuote(term string) string {
	if !strings.ContainsAny(term, `'\`) {
		return "'" + term + "'"
	}
	return "'" + pgQuoteReplacer.Replace(term) + "'"
}

var pgQuoteReplacer = strings.NewReplacer(`\`, `\\`, `'`, `''`)
