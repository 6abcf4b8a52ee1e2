package store

import (
	"slices"
	"testing"
)

func TestRebindPositional(t *testing.T) {
	cases := []struct {
		q, want string
		args    []any
		wantArg []any
	}{
		{"SELECT 1", "SELECT 1", nil, nil},
		{"a = $1 AND b = $2", "a = ? AND b = ?", []any{1, 2}, []any{1, 2}},
		{"a = $2 OR b = $1 OR c = $2", "a = ? OR b = ? OR c = ?", []any{"x", "y"}, []any{"y", "x", "y"}},
		{"s = '$1' AND t = $1", "s = '$1' AND t = ?", []any{7}, []any{7}},
		{"x IN ($10, $1)", "x IN (?, ?)", []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []any{10, 1}},
		{"unterminated '$1", "unterminated '$1", []any{1}, []any{}},
	}
	for _, c := range cases {
		got, args := rebindPositional(c.q, c.args)
		if got != c.want || !slices.Equal(args, c.wantArg) {
			t.Errorf("rebind(%q) = %q %v, want %q %v", c.q, got, args, c.want, c.wantArg)
		}
	}
}

func FuzzRebindPositional(f *testing.F) {
	f.Add("a = $1 AND b = '$2' AND c = $2", 2)
	f.Add("$", 0)
	f.Add("$99999999999999999999", 1)
	f.Fuzz(func(t *testing.T, q string, n int) {
		n = min(max(n, 0), 50)
		args := make([]any, n)
		for i := range args {
			args[i] = i
		}
		rebindPositional(q, args) // must not panic
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(conversationCursor{Values: []*int64{nil}}))
	f.Add("!!")
	f.Add("eyJ2IjpbMSwyXX0")
	f.Fuzz(func(t *testing.T, s string) {
		var cur conversationCursor
		if err := decodeCursor(s, &cur); err != nil {
			return
		}
		var args argList
		afterCursor(sortKeys(""), cur.Values, &args) // must not panic
	})
}
