package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// tx is a transaction with the store's dialect and one fixed "now", so
// every row a change touches carries the same time.
type tx struct {
	*sql.Tx
	s   *Store
	now time.Time
}

// maxWriteAttempts bounds the retries after deadlocks and serialisation
// failures (PostgreSQL) or a busy database (SQLite shared by processes).
const maxWriteAttempts = 5

// write runs fn in a write transaction and commits it; fn may be run again
// after a retryable failure, so it must not keep state from a failed run.
func (s *Store) write(ctx context.Context, fn func(*tx) error) error {
	var err error
	for attempt := 1; attempt <= maxWriteAttempts; attempt++ {
		err = s.runTx(ctx, s.writer, false, fn)
		if err == nil || !s.d.isRetryable(err) || ctx.Err() != nil {
			break
		}
		s.log.Debug("retrying transaction", "engine", s.d.name(), "attempt", attempt, "err", err)
		time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
	}
	return err
}

// read runs fn in a read-only transaction on the reader pool, so it sees
// one consistent snapshot.
func (s *Store) read(ctx context.Context, fn func(*tx) error) error {
	return s.runTx(ctx, s.reader, true, fn)
}

func (s *Store) runTx(ctx context.Context, db *sql.DB, readOnly bool, fn func(*tx) error) error {
	sqlTx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly && s.d.name() == "postgres"})
	if err != nil {
		return s.wrap(err, "starting transaction")
	}
	t := &tx{Tx: sqlTx, s: s, now: s.now()}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return s.wrap(err, "committing")
	}
	return nil
}

// wrap gives a database error a code: retryable and unique-violation
// errors keep their cause so callers can tell them apart.
func (s *Store) wrap(err error, format string, args ...any) error {
	var pe *parley.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return parley.WrapError(parley.EUNAVAILABLE, err, format, args...)
	case s.d.isUniqueViolation(err):
		return parley.WrapError(parley.ECONFLICT, err, format, args...)
	}
	return parley.WrapError(parley.EINTERNAL, err, format, args...)
}

// args converts Go values to the dialect's column representation.
func (t *tx) args(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = t.s.d.timeArg(v.UTC().Truncate(time.Microsecond))
		case *time.Time:
			if v == nil {
				args[i] = nil
			} else {
				args[i] = t.s.d.timeArg(v.UTC().Truncate(time.Microsecond))
			}
		}
	}
	return args
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	q, args = t.s.d.rebind(q, t.args(args))
	res, err := t.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q, args = t.s.d.rebind(q, t.args(args))
	return t.QueryContext(ctx, q, args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q, args = t.s.d.rebind(q, t.args(args))
	return t.QueryRowContext(ctx, q, args...)
}

// int64s runs a query returning one integer column.
func (t *tx) int64s(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// nextAfterMax returns the n integers after the value q selects.
func (t *tx) nextAfterMax(ctx context.Context, q string, n int) ([]int64, error) {
	var last int64
	if err := t.queryRow(ctx, q).Scan(&last); err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = last + int64(i) + 1
	}
	return out, nil
}

// argList collects bound arguments while SQL is built from slices: each
// call to add returns the placeholder of the value it appended.
type argList []any

func (a *argList) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// in returns "($i, $j, …)" for the values.
func in[T any](a *argList, values []T) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.add(v))
	}
	b.WriteByte(')')
	return b.String()
}

// timeCol scans a non-null time column of either engine.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	switch x := v.(type) {
	case int64:
		*c.t = time.UnixMicro(x).UTC()
	case time.Time:
		*c.t = x.UTC()
	case nil:
		*c.t = time.Time{}
	default:
		return fmt.Errorf("cannot scan %T into a time", v)
	}
	return nil
}

// nullTimeCol scans a nullable time column.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(v any) error {
	if v == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(v); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

// jsonCol scans a TEXT column holding JSON into v; empty text leaves v alone.
type jsonCol struct{ v any }

func (c jsonCol) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("cannot scan %T as JSON", v)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, c.v)
}

// jsonText encodes v for a JSON TEXT column; empty maps and slices are
// stored as "" so most rows stay small.
func jsonText(v any) string {
	switch x := v.(type) {
	case map[string]string:
		if len(x) == 0 {
			return ""
		}
	case []parley.Attachment:
		if len(x) == 0 {
			return ""
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "" // maps of strings and plain structs cannot fail to encode
	}
	return string(b)
}

// nullID maps an optional id to a column value.
func nullID(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

// nullIDCol scans a nullable id column.
type nullIDCol struct{ p **int64 }

func (c nullIDCol) Scan(v any) error {
	var n sql.NullInt64
	if err := n.Scan(v); err != nil {
		return err
	}
	if n.Valid {
		id := n.Int64
		*c.p = &id
	} else {
		*c.p = nil
	}
	return nil
}

// notFound turns sql.ErrNoRows into ENOTFOUND naming what was missing.
func (s *Store) notFound(err error, what string, key any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return parley.Errorf(parley.ENOTFOUND, "%s %v not found", what, key)
	}
	return s.wrap(err, "loading %s %v", what, key)
}
