package mailparse

import (
	"strings"

	"github.com/emersion/go-message"
)

// detectAuto tells machine-sent mail apart from a person's (RFC 3834 and
// the de-facto headers of Exchange, Sieve vacation and list servers).
// Answering such mail, or opening a ticket for it, is how mail loops start.
func detectAuto(h message.Header, isReport bool) AutoKind {
	if isReport {
		return AutoReport
	}
	if v := headerToken(h, "Auto-Submitted"); v != "" && v != "no" {
		return AutoReply
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || h.Get("X-Autoresponder") != "" {
		return AutoReply
	}
	for _, key := range []string{"Precedence", "X-Precedence"} {
		switch headerToken(h, key) {
		case "auto_reply":
			return AutoReply
		case "bulk", "junk":
			return AutoBulk
		case "list":
			return AutoList
		}
	}
	if isMailerDaemon(h.Get("From")) {
		return AutoReport
	}
	return AutoNone
}

// headerToken is the first word of a field, lower-cased, without any
// parameters or comment ("auto-replied; owner-email=…" → "auto-replied").
func headerToken(h message.Header, key string) string {
	v := strings.ToLower(strings.TrimSpace(h.Get(key)))
	if i := strings.IndexAny(v, "; \t("); i >= 0 {
		v = v[:i]
	}
	return v
}

// isMailerDaemon recognises bounces that carry no delivery-status report:
// they come from the mail system's own mailbox.
func isMailerDaemon(from string) bool {
	for _, a := range parseAddresses(from) {
		local, _, _ := strings.Cut(strings.ToLower(a.Addr), "@")
		if local == "mailer-daemon" || local == "postmaster" {
			return true
		}
	}
	return false
}
