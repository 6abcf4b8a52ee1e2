package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/parleyhq/parley"
)

// queryParser reads query parameters, keeping the first error so handlers
// can read everything and check once. Unknown parameters are refused so a
// typo never silently widens a listing.
type queryParser struct {
	vals url.Values
	err  error
}

func parseQuery(r *http.Request, allowed ...string) *queryParser {
	q := &queryParser{vals: r.URL.Query()}
	for name := range q.vals {
		if !slices.Contains(allowed, name) {
			q.fail("unknown query parameter %q (allowed: %v)", name, allowed)
		}
	}
	return q
}

func (q *queryParser) fail(format string, args ...any) {
	if q.err == nil {
		q.err = parley.Errorf(parley.EINVALID, format, args...)
	}
}

// single returns the parameter's value, refusing repeats.
func (q *queryParser) single(name string) (string, bool) {
	vs, ok := q.vals[name]
	if !ok {
		return "", false
	}
	if len(vs) > 1 {
		q.fail("query parameter %q given %d times; it takes one value", name, len(vs))
	}
	return vs[0], true
}

func (q *queryParser) string(name string) *string {
	v, ok := q.single(name)
	if !ok {
		return nil
	}
	if v == "" {
		q.fail("query parameter %q is empty", name)
	}
	return &v
}

func (q *queryParser) id(name string) *int64 {
	v, ok := q.single(name)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		q.fail("query parameter %q must be a positive integer, got %q", name, v)
		return nil
	}
	return &n
}

// page reads cursor and limit (1…MaxPageLimit, default DefaultPageLimit).
func (q *queryParser) page() parley.Page {
	p := parley.Page{Limit: parley.DefaultPageLimit}
	if v, ok := q.single("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > parley.MaxPageLimit {
			q.fail("limit must be an integer from 1 to %d, got %q", parley.MaxPageLimit, v)
		}
		p.Limit = n
	}
	if v, ok := q.single("cursor"); ok {
		if len(v) > 1024 {
			q.fail("cursor is too long")
		}
		p.Cursor = v
	}
	return p
}

func (q *queryParser) statuses(name string) []parley.Status {
	var out []parley.Status
	for _, v := range q.vals[name] {
		st := parley.Status(v)
		if !st.Valid() {
			q.fail("%s %q is not one of open, pending, snoozed, resolved, closed", name, v)
		}
		out = append(out, st)
	}
	return out
}

// pathID reads a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, parley.Errorf(parley.EINVALID, "%s must be a positive integer, got %q", name, v)
	}
	return n, nil
}
