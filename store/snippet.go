package store

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"
)

// snippetRunes is about how much text a highlighted snippet shows.
const snippetRunes = 160

// highlight returns a window of text around the first match of the query
// terms, with every match wrapped in <mark> and everything else
// HTML-escaped. Text without a match is returned escaped (and cut).
func highlight(text string, terms []queryTerm) string {
	ranges := matchRanges(text, terms)
	from, to := snippetWindow(text, ranges)
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	pos := from
	for _, r := range ranges {
		if r[1] <= from || r[0] >= to {
			continue
		}
		start, end := max(r[0], pos), min(r[1], to)
		if start >= end {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[start:end]))
		b.WriteString("</mark>")
		pos = end
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String()
}

// matchRanges finds the byte ranges the terms match, sorted and merged:
// whole words for word prefixes, the exact run for CJK.
func matchRanges(text string, terms []queryTerm) [][2]int {
	var ranges [][2]int
	toks := tokens(text)
	for _, qt := range terms {
		for _, tok := range toks {
			if !tok.cjk {
				if !qt.cjk && strings.HasPrefix(strings.ToLower(tok.text), qt.source) {
					ranges = append(ranges, [2]int{tok.start, tok.end})
				}
				continue
			}
			if !qt.cjk {
				continue
			}
			for off := 0; ; {
				i := strings.Index(tok.text[off:], qt.source)
				if i < 0 {
					break
				}
				start := tok.start + off + i
				ranges = append(ranges, [2]int{start, start + len(qt.source)})
				off += i + len(qt.source)
			}
		}
	}
	sort.Slice(ranges, func(i, j int) bool { return ranges[i][0] < ranges[j][0] })
	merged := ranges[:0]
	for _, r := range ranges {
		if n := len(merged); n > 0 && r[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// snippetWindow picks byte offsets around the first match, on rune
// boundaries.
func snippetWindow(text string, ranges [][2]int) (from, to int) {
	if utf8.RuneCountInString(text) <= snippetRunes {
		return 0, len(text)
	}
	anchor := 0
	if len(ranges) > 0 {
		anchor = ranges[0][0]
	}
	from = anchor
	for n := 0; n < snippetRunes/4 && from > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:from])
		from -= size
	}
	to = from
	for n := 0; n < snippetRunes && to < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[to:])
		to += size
	}
	return from, to
}
