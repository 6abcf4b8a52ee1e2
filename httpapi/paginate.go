package httpapi

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"

	"github.com/parleyhq/parley"
)

// paginate pages a short list the store returns whole (agents, teams,
// tags, channels, tokens), so every listing has the same shape. Items are
// ordered by key; the cursor is the last key of the previous page.
func paginate[T any](items []T, key func(T) string, p parley.Page) ([]T, string, error) {
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	start := 0
	if p.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(p.Cursor)
		if err != nil {
			return nil, "", parley.Errorf(parley.EINVALID, "cursor is not one this server issued")
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > string(after) })
	}
	end := min(start+p.Limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
	}
	return items[start:end], next, nil
}

// idKey orders by numeric id as a fixed-width string.
func idKey(id int64) string { return leftPad(strconv.FormatInt(id, 10), 20) }

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// writePaged answers a page of a whole list, reading cursor and limit.
func writePaged[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T, key func(T) string, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := parseQuery(r, "cursor", "limit")
	p := q.page()
	if q.err != nil {
		s.writeError(w, r, q.err)
		return
	}
	page, next, err := paginate(items, key, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(page, next))
}
