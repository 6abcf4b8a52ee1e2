package pipeline

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// SplitText cuts text into parts that each fit limit, counted in runes, or
// in UTF-8 bytes when inBytes. It prefers to cut after a sentence (". ",
// "! ", "? ", a newline, or CJK full stops), then at a space, and only
// inside a word when one word alone is longer than the limit, never inside
// a rune. Parts are trimmed of the spaces at the cuts and at the end; limit ≤ 0 or a text
// that fits returns the text as its only part.
func SplitText(text string, limit int, inBytes bool) []string {
	if limit <= 0 || size(text, inBytes) <= limit {
		return []string{text}
	}
	var parts []string
	rest := text
	for size(rest, inBytes) > limit {
		window := prefix(rest, limit, inBytes)
		// A space or newline right after the window is a boundary too: the
		// window then ends exactly at a word.
		if next := rest[len(window)]; next == ' ' || next == '\n' {
			window = rest[:len(window)+1]
		}
		cut := min(bestCut(window), len(prefix(rest, limit, inBytes)))
		if cut == 0 { // the limit is smaller than the first rune: send it whole
			_, cut = utf8.DecodeRuneInString(rest)
		}
		part := strings.TrimRightFunc(rest[:cut], unicode.IsSpace)
		if part != "" {
			parts = append(parts, part)
		}
		rest = strings.TrimLeftFunc(rest[cut:], unicode.IsSpace)
	}
	if rest = strings.TrimRightFunc(rest, unicode.IsSpace); rest != "" {
		parts = append(parts, rest)
	}
	return parts
}

func size(s string, inBytes bool) int {
	if inBytes {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// prefix is the longest prefix of s within limit, ending on a rune boundary.
func prefix(s string, limit int, inBytes bool) string {
	if inBytes {
		end := limit
		for end > 0 && !utf8.RuneStart(s[end]) {
			end--
		}
		return s[:end]
	}
	n := 0
	for i := range s {
		if n == limit {
			return s[:i]
		}
		n++
	}
	return s
}

// bestCut is where to end a part within window (a prefix of the rest): after
// the last sentence end in its second half, else at its last space, else at
// its end. Cutting only in the second half keeps parts from getting tiny.
func bestCut(window string) int {
	half := len(window) / 2
	if i := lastSentenceEnd(window); i > half {
		return i
	}
	if i := strings.LastIndexFunc(window, unicode.IsSpace); i > 0 {
		return i
	}
	return len(window)
}

// lastSentenceEnd is the byte offset just after the last sentence ending in
// s, or -1.
func lastSentenceEnd(s string) int {
	best := -1
	for i, r := range s {
		end := i + utf8.RuneLen(r)
		switch r {
		case '\n', '。', '！', '？':
			best = end
		case '.', '!', '?':
			if end == len(s) || s[end] == ' ' || s[end] == '\n' {
				best = end
			}
		}
	}
	return best
}

// splitForChannel returns the parts a text reply must be sent as: one part
// unless the channel splits long text and this text exceeds its limit.
func splitForChannel(m *parley.Message, caps parley.Capabilities) []string {
	if m.Kind != parley.KindText || !caps.Split || caps.TextLimit <= 0 || len(m.Attachments) > 0 {
		return nil
	}
	if size(m.Body, caps.TextLimitBytes) <= caps.TextLimit {
		return nil
	}
	return SplitText(m.Body, caps.TextLimit, caps.TextLimitBytes)
}

// sendParts sends a long text reply as consecutive messages. The stored
// message takes the platform id of the last part (receipts name it; a read
// watermark covers the earlier ones). A failure after some parts went out
// fails the message, saying how many were sent, rather than retrying and
// sending those parts twice.
func (s *Sender) sendParts(ctx context.Context, a parley.Adapter, out parley.OutboundMessage, parts []string) (parley.SendResult, int, error) {
	var res parley.SendResult
	for i, p := range parts {
		if i > 0 {
			if err := s.limiters.wait(ctx, out.Channel); err != nil {
				return res, i, err
			}
		}
		part := *out.Message
		part.Body = p
		one := out
		one.Message = &part
		r, err := a.Send(ctx, one)
		if err != nil {
			return res, i, err
		}
		res = r
	}
	return res, len(parts), nil
}

// partialFailure is the outcome of a split reply whose part sent+1 failed.
func partialFailure(err error, sent, total int) (code, reason string) {
	se := classify(err)
	return "partial_send", fmt.Sprintf("sent %d of %d parts, then: %s", sent, total, se.Reason)
}
