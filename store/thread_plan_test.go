package store_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

// The Page's own comment names only the thread: its ticket lookup must
// go through conversations_open_thread, not read every open ticket of the
// channel through an index that leads with the customer.
func TestOwnCommentTicketLookupUsesTheThreadIndex(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			st := storetest.MustOpenDSN(t, e.dsn(t))
			ch := storetest.MustCreateChannel(t, st, parley.PlatformFacebookComments)
			db := st.Writer()
			seedOpenThreads(t, db, ch.ID, 3000)
			q := strings.NewReplacer("$1", fmt.Sprint(ch.ID), "$2", "'post_1500'").Replace(store.ThreadCustomerQuery)
			plan := explain(t, db, st.Engine(), q)
			if !strings.Contains(plan, "conversations_open_thread") {
				t.Fatalf("the lookup does not use conversations_open_thread:\n%s", plan)
			}
		})
	}
}

// seedOpenThreads adds n customers with one open ticket each, on its own
// thread, and refreshes the planner's statistics.
func seedOpenThreads(tb testing.TB, db *sql.DB, channelID int64, n int) {
	tb.Helper()
	stmts := []string{
		fmt.Sprintf(`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %d)
			INSERT INTO contacts (name, created_at, updated_at) SELECT 'seed_' || n, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM g`, n),
		fmt.Sprintf(`INSERT INTO identities (contact_id, kind, scope_channel_id, value, created_at)
			SELECT id, 'psid', %d, 'psid_' || id, CURRENT_TIMESTAMP FROM contacts WHERE name LIKE 'seed_%%'`, channelID),
		fmt.Sprintf(`INSERT INTO conversations (number, channel_id, platform, contact_id, thread_key, status, last_message_at, created_at, updated_at)
			SELECT 1000000 + id, %d, 'facebook_comments', id, 'post_' || id, 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
			FROM contacts WHERE name LIKE 'seed_%%'`, channelID),
		`ANALYZE`,
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("seeding: %v\n%s", err, q)
		}
	}
}

// explain returns the engine's plan for q, one step a line.
func explain(tb testing.TB, db *sql.DB, engine, q string) string {
	tb.Helper()
	prefix := "EXPLAIN "
	if engine == "sqlite" {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.Query(prefix + q)
	if err != nil {
		tb.Fatalf("explaining: %v", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintln(&b, fmt.Sprint(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}
