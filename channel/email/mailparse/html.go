package mailparse

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// displayPolicy is bluemonday's user-generated-content policy tightened for
// mail: no scripts, styles, forms or frames (UGC already drops them), links
// open in a new browsing context without referrer, and images load only from
// the mail's own inline parts (cid:). Remote images are blanked: they are
// how senders track opens and probe the reader's address.
var displayPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("mailto", "http", "https", "cid")
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RewriteSrc(func(u *url.URL) {
		if u != nil && !strings.EqualFold(u.Scheme, "cid") {
			*u = url.URL{}
		}
	})
	return p
}()

// SanitizeHTML makes a mail's HTML safe to show to an agent. The result
// should still be shown in a sandboxed iframe with a strict CSP: the
// sanitiser is one layer, not the only one.
func SanitizeHTML(html string) string {
	return strings.TrimSpace(displayPolicy.Sanitize(html))
}

var blankRun = regexp.MustCompile(`\n{3,}`)

// HTMLToText extracts readable text from HTML: blocks become lines, list
// items get a dash, blockquotes get "> " prefixes (so quoted history in
// HTML-only mail folds like plain text), scripts, styles and the head are
// dropped and entities decoded.
func HTMLToText(html string) string {
	var r textRenderer
	r.render(html)
	out := strings.Join(r.lines(), "\n")
	out = blankRun.ReplaceAllString(out, "\n\n")
	return strings.Trim(out, "\n ")
}
