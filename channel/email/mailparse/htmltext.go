package mailparse

import (
	"strings"

	"golang.org/x/net/html"
)

// textRenderer walks HTML tokens and builds lines of plain text.
type textRenderer struct {
	out   []string
	cur   strings.Builder
	quote int // blockquote depth
	skip  int // inside script, style, head…
	pre   int // inside pre
}

// maxHTMLTokens bounds the work on hostile HTML (the tokenizer itself is
// linear, but a bound keeps the cost predictable).
const maxHTMLTokens = 1 << 20

func (r *textRenderer) render(src string) {
	z := html.NewTokenizer(strings.NewReader(src))
	for i := 0; i < maxHTMLTokens; i++ {
		switch z.Next() {
		case html.ErrorToken:
			r.flush()
			return
		case html.TextToken:
			r.text(string(z.Text()))
		case html.StartTagToken:
			name, _ := z.TagName()
			r.open(string(name), z, false)
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			r.open(string(name), z, true)
		case html.EndTagToken:
			name, _ := z.TagName()
			r.close(string(name))
		}
	}
	r.flush()
}

func (r *textRenderer) lines() []string { return r.out }

func isSkipped(tag string) bool {
	switch tag {
	case "script", "style", "head", "title", "noscript", "template", "object", "svg":
		return true
	}
	return false
}

func isParagraph(tag string) bool {
	switch tag {
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "hr", "pre":
		return true
	}
	return false
}

func isBlock(tag string) bool {
	switch tag {
	case "div", "tr", "li", "dd", "dt", "section", "article", "header", "footer", "address", "center", "caption", "figure":
		return true
	}
	return false
}

func (r *textRenderer) open(tag string, z *html.Tokenizer, selfClosing bool) {
	switch {
	case isSkipped(tag):
		if !selfClosing {
			r.skip++
		}
	case r.skip > 0:
	case tag == "br":
		r.newline()
	case tag == "blockquote":
		r.paragraph()
		r.quote++
	case tag == "pre":
		r.paragraph()
		r.pre++
	case isParagraph(tag):
		r.paragraph()
	case tag == "li":
		r.flush()
		r.cur.WriteString("- ")
	case isBlock(tag):
		r.flush()
	case tag == "td" || tag == "th":
		if strings.TrimSpace(r.cur.String()) != "" {
			r.cur.WriteString("  ")
		}
	case tag == "img":
		if alt := attr(z, "alt"); strings.TrimSpace(alt) != "" {
			r.text(alt)
		}
	}
}

func (r *textRenderer) close(tag string) {
	switch {
	case isSkipped(tag):
		if r.skip > 0 {
			r.skip--
		}
	case r.skip > 0:
	case tag == "blockquote":
		r.flush()
		if r.quote > 0 {
			r.quote--
		}
		r.paragraph()
	case tag == "pre":
		r.flush() // while still in pre, so its indentation is kept
		if r.pre > 0 {
			r.pre--
		}
		r.paragraph()
	case isParagraph(tag):
		r.paragraph()
	case isBlock(tag):
		r.flush()
	}
}

// attr reads one attribute of the current tag.
func attr(z *html.Tokenizer, name string) string {
	for {
		k, v, more := z.TagAttr()
		if string(k) == name {
			return string(v)
		}
		if !more {
			return ""
		}
	}
}

func (r *textRenderer) text(s string) {
	if r.skip > 0 {
		return
	}
	if r.pre > 0 {
		lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
		for i, l := range lines {
			if i > 0 {
				r.newline()
			}
			r.cur.WriteString(l)
		}
		return
	}
	words := strings.Fields(s)
	if len(words) == 0 {
		if s != "" && r.cur.Len() > 0 && !strings.HasSuffix(r.cur.String(), " ") {
			r.cur.WriteByte(' ')
		}
		return
	}
	if startsWithSpace(s) && r.cur.Len() > 0 && !strings.HasSuffix(r.cur.String(), " ") {
		r.cur.WriteByte(' ')
	}
	r.cur.WriteString(strings.Join(words, " "))
	if endsWithSpace(s) {
		r.cur.WriteByte(' ')
	}
}

func startsWithSpace(s string) bool { return strings.TrimLeft(s, " \t\r\n\f") != s }
func endsWithSpace(s string) bool   { return strings.TrimRight(s, " \t\r\n\f") != s }

func (r *textRenderer) prefix() string { return strings.Repeat("> ", r.quote) }

// flush ends the current line if it holds any text.
func (r *textRenderer) flush() {
	if strings.TrimSpace(r.cur.String()) == "" {
		r.cur.Reset()
		return
	}
	r.newline()
}

// newline ends the current line, even an empty one (a <br>).
func (r *textRenderer) newline() {
	line := strings.TrimSpace(r.cur.String())
	if r.pre > 0 {
		line = strings.TrimRight(r.cur.String(), " \t")
	}
	r.cur.Reset()
	r.out = append(r.out, strings.TrimRight(r.prefix()+line, " "))
}

// paragraph ends the current line and leaves one blank line after it.
func (r *textRenderer) paragraph() {
	r.flush()
	blank := strings.TrimRight(r.prefix(), " ")
	if n := len(r.out); n > 0 && strings.TrimRight(r.out[n-1], "> ") != "" {
		r.out = append(r.out, blank)
	}
}
