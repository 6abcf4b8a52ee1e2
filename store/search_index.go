package store

import (
	"context"
	"strings"
)

// searchDoc is one row's searchable text, keyed by the row's id.
type searchDoc struct {
	id    int64
	terms []string
}

// searchBatchRows bounds the rows of one multi-row INSERT.
const searchBatchRows = 500

// indexSearch writes the terms of docs into a search table (message_search,
// contact_search or conversation_search). With replace, old terms of the
// same rows are removed first.
func (t *tx) indexSearch(ctx context.Context, table string, docs []searchDoc, replace bool) error {
	if replace && len(docs) > 0 {
		ids := make([]int64, len(docs))
		for i, d := range docs {
			ids[i] = d.id
		}
		var args argList
		if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE rowid IN `+in(&args, ids), args...); err != nil {
			return t.s.wrap(err, "clearing %s", table)
		}
	}
	for len(docs) > 0 {
		n := min(len(docs), searchBatchRows)
		var args argList
		var b strings.Builder
		b.WriteString(`INSERT INTO ` + table + ` (rowid, terms) VALUES `)
		rows := 0
		for _, d := range docs[:n] {
			if len(d.terms) == 0 {
				continue
			}
			if rows > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + args.add(d.id) + ", " + t.s.d.searchDocPlaceholder(args.add(t.s.d.searchDoc(d.terms))) + ")")
			rows++
		}
		if rows > 0 {
			if _, err := t.exec(ctx, b.String(), args...); err != nil {
				return t.s.wrap(err, "indexing %s", table)
			}
		}
		docs = docs[n:]
	}
	return nil
}
