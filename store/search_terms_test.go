package store

import (
	"html"
	"slices"
	"strings"
	"testing"
)

func TestSearchTerms(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"Hello, World!", []string{"hello", "world"}},
		{"我想申请退款", []string{"我想", "想申", "申请", "请退", "退款", "款"}},
		{"注文番号は1234です", []string{"注文", "文番", "番号", "号は", "は", "1234", "です", "す"}},
		{"Café 退", []string{"café", "退"}},
	}
	for _, c := range cases {
		if got := searchTerms(c.text); !slices.Equal(got, c.want) {
			t.Errorf("searchTerms(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	got := parseQuery("Refund 申请退款 番")
	if len(got) != 3 || !got[0].prefix || got[0].words[0] != "refund" ||
		!slices.Equal(got[1].words, []string{"申请", "请退", "退款"}) || got[2].words[0] != "番" || !got[2].prefix || !got[2].cjk {
		t.Fatalf("parseQuery = %+v", got)
	}
	if len(parseQuery("  ,.!?，。 ")) != 0 {
		t.Fatal("punctuation became a term")
	}
}

func TestHighlightEscapesEverythingButMarks(t *testing.T) {
	got := highlight(`<script>alert("退款")</script> refund`, parseQuery("退款 refund"))
	want := `&lt;script&gt;alert(&#34;<mark>退款</mark>&#34;)&lt;/script&gt; <mark>refund</mark>`
	if got != want {
		t.Fatalf("highlight = %q, want %q", got, want)
	}
	long := strings.Repeat("filler ", 100) + "退款" + strings.Repeat(" tail", 100)
	if got := highlight(long, parseQuery("退款")); !strings.Contains(got, "<mark>退款</mark>") || !strings.HasPrefix(got, "…") {
		t.Fatalf("long snippet = %q", got)
	}
}

func TestSearchQueryEncodings(t *testing.T) {
	q := parseQuery("refu 申请退款")
	if got := (sqliteDialect{}).searchQuery(q); got != `"refu"* AND "申请 请退 退款"` {
		t.Errorf("fts5 = %s", got)
	}
	if got := (postgresDialect{}).searchQuery(q); got != `'refu':* & ('申请' <-> '请退' <-> '退款')` {
		t.Errorf("tsquery = %s", got)
	}
	if got := (postgresDialect{}).searchDoc([]string{"a", "b", "a"}); got != `'a':1,3 'b':2` {
		t.Errorf("tsvector = %s", got)
	}
}

// FuzzHighlight: whatever the text and query, highlighting never panics
// and, with the marks taken out, is the escaped text (or a window of it).
func FuzzHighlight(f *testing.F) {
	f.Add("我想申请退款", "退款")
	f.Add("<b>refund</b> now", "ref")
	f.Add("\xff\xfe broken utf8 退", "退 \xff")
	f.Fuzz(func(t *testing.T, text, query string) {
		out := highlight(text, parseQuery(query))
		plain := strings.NewReplacer("<mark>", "", "</mark>", "", "…", "").Replace(out)
		if strings.ContainsAny(plain, "<>") {
			t.Fatalf("unescaped markup in %q", out)
		}
		if !strings.Contains(html.EscapeString(strings.ReplaceAll(text, "…", "")), plain) && len(text) < snippetRunes {
			t.Fatalf("snippet %q is not the text %q", out, text)
		}
	})
}

func TestPgQuote(t *testing.T) {
	if got := pgQuote(`it's a \ test`); got != `'it''s a \\ test'` {
		t.Fatalf("pgQuote = %s", got)
	}
}
