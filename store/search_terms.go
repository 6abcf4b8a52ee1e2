package store

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Search works the same on both engines because the text is tokenised
// here, in Go, and the engines only index the resulting terms:
//   - words of alphabetic scripts (and numbers) are lower-cased terms,
//     matched by prefix;
//   - runs of Chinese, Japanese and Korean characters, written without
//     spaces, become overlapping bigrams ("申请退款" → 申请 请退 退款), matched
//     as a phrase so that a word is found inside a longer run, plus the
//     run's last character alone; a one-character query matches by prefix,
//     so it finds every bigram starting with it, and that last character.

const (
	maxTermRunes = 64   // longer "words" (hashes, base64) are cut
	maxDocTerms  = 4096 // enough for a long e-mail; the rest is not indexed
)

// token is a word or a CJK run with its byte range in the source text.
type token struct {
	text       string
	start, end int
	cjk        bool
}

// isCJK reports runes of scripts written without spaces between words.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		r == 'ー' || r == '々'
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// tokens splits text into words and CJK runs.
func tokens(text string) []token {
	var out []token
	start, cjk := -1, false
	flush := func(end int) {
		if start >= 0 {
			out = append(out, token{text: text[start:end], start: start, end: end, cjk: cjk})
		}
		start = -1
	}
	for i, r := range text {
		switch {
		case r == utf8.RuneError:
			flush(i)
		case isCJK(r):
			if start >= 0 && !cjk {
				flush(i)
			}
			if start < 0 {
				start, cjk = i, true
			}
		case isWordRune(r):
			if start >= 0 && cjk {
				flush(i)
			}
			if start < 0 {
				start, cjk = i, false
			}
		default:
			flush(i)
		}
	}
	flush(len(text))
	return out
}

// searchTerms returns the terms that index texts, in order: bigram
// adjacency must survive for phrase matching.
func searchTerms(texts ...string) []string {
	var terms []string
	for _, text := range texts {
		for _, tok := range tokens(text) {
			if len(terms) >= maxDocTerms {
				return terms
			}
			if !tok.cjk {
				terms = append(terms, wordTerm(tok.text))
				continue
			}
			runes := []rune(tok.text)
			if len(runes) == 1 {
				terms = append(terms, tok.text)
				continue
			}
			for i := 0; i+1 < len(runes); i++ {
				terms = append(terms, string(runes[i:i+2]))
			}
			terms = append(terms, string(runes[len(runes)-1]))
		}
	}
	return terms
}

func wordTerm(word string) string {
	w := strings.ToLower(word)
	if utf8.RuneCountInString(w) > maxTermRunes {
		w = string([]rune(w)[:maxTermRunes])
	}
	return w
}

// queryTerm is one condition of a search: all must match. A word matches
// by prefix; a phrase (of CJK bigrams) must match in order; a single CJK
// character matches by prefix too (see searchTerms).
type queryTerm struct {
	words  []string // one word, or the bigrams of a phrase
	prefix bool
	cjk    bool
	source string // what to highlight: the lower-cased word or the CJK run
}

// parseQuery turns what a user typed into query terms.
func parseQuery(q string) []queryTerm {
	var out []queryTerm
	for _, tok := range tokens(q) {
		if !tok.cjk {
			w := wordTerm(tok.text)
			out = append(out, queryTerm{words: []string{w}, prefix: true, source: w})
			continue
		}
		runes := []rune(tok.text)
		if len(runes) == 1 {
			out = append(out, queryTerm{words: []string{tok.text}, prefix: true, cjk: true, source: tok.text})
			continue
		}
		qt := queryTerm{source: tok.text, cjk: true}
		for i := 0; i+1 < len(runes); i++ {
			qt.words = append(qt.words, string(runes[i:i+2]))
		}
		out = append(out, qt)
	}
	return out
}
