package httpapi

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/parleyhq/parley"
)

// FuzzConversationQuery feeds arbitrary query strings to the listing's
// parser: it must never panic, and whatever it accepts must be in range.
func FuzzConversationQuery(f *testing.F) {
	for _, seed := range []string{"", "view=mine&status=open&status=pending&limit=200", "limit=0", "priority=3&sort=priority",
		"cursor=abc&channel_id=1", "status=%zz", "limit=99999999999999999999", "view=all&view=mine", "tag="} {
		f.Add(seed)
	}
	me := &parley.Agent{ID: 1, Role: parley.RoleAgent}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/api/v1/conversations", nil)
		r.URL.RawQuery = raw
		if _, err := url.ParseQuery(raw); err != nil {
			r.URL.RawQuery = url.QueryEscape(raw)
		}
		fl, err := conversationFilter(parseQuery(r, conversationListParams...), me)
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("error code %q for %q", parley.ErrorCode(err), raw)
			}
			return
		}
		if fl.Limit < 1 || fl.Limit > parley.MaxPageLimit || fl.AgentID != me.ID {
			t.Fatalf("accepted %+v for %q", fl, raw)
		}
		for _, s := range fl.Statuses {
			if !s.Valid() {
				t.Fatalf("accepted status %q", s)
			}
		}
		if fl.Priority != nil && !fl.Priority.Valid() || fl.Platform != nil && !fl.Platform.Valid() {
			t.Fatalf("accepted %+v", fl)
		}
	})
}

// FuzzPaginateCursor checks that any cursor either pages correctly or is
// refused as invalid.
func FuzzPaginateCursor(f *testing.F) {
	f.Add("", 2)
	f.Add("MDAwMDAwMDAwMDAwMDAwMDAwMDI", 1)
	f.Add("!!", 5)
	items := []int64{1, 2, 3, 4, 5}
	f.Fuzz(func(t *testing.T, cursor string, limit int) {
		if limit < 1 || limit > parley.MaxPageLimit {
			return
		}
		page, next, err := paginate(append([]int64(nil), items...), idKey, parley.Page{Cursor: cursor, Limit: limit})
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("code %q", parley.ErrorCode(err))
			}
			return
		}
		if len(page) > limit || next != "" && len(page) == 0 {
			t.Fatalf("page %v next %q", page, next)
		}
	})
}

func TestPaginateWalksEveryItemOnce(t *testing.T) {
	items := []int64{5, 3, 1, 4, 2}
	var seen []int64
	cursor := ""
	for range 10 {
		page, next, err := paginate(items, idKey, parley.Page{Cursor: cursor, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, page...)
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(seen) != 5 || seen[0] != 1 || seen[4] != 5 {
		t.Fatalf("seen %v", seen)
	}
}
