// Package mailparse turns a raw RFC 5322 message into a Mail: decoded
// headers, the text and sanitised HTML bodies, inline images, attachments,
// the reply with its quoted history and signature folded away, and what
// kind of automatic mail it is (auto-reply, bulk, bounce with its delivery
// report). It is pure: no I/O beyond the bytes it is given, so it can be
// fuzzed and used by any transport (IMAP, SMTP, tests).
package mailparse

import "time"

// Address is one mailbox of an address header. Addr keeps the case the
// sender wrote; use Folded to compare addresses.
type Address struct {
	Name string `json:"name,omitempty"`
	Addr string `json:"addr"`
}

// Mail is a parsed message. Message ids are stored without angle brackets.
type Mail struct {
	From        *Address  `json:"from,omitempty"`
	To          []Address `json:"to,omitempty"`
	Cc          []Address `json:"cc,omitempty"`
	ReplyTo     []Address `json:"reply_to,omitempty"`
	DeliveredTo []string  `json:"delivered_to,omitempty"` // Delivered-To and X-Original-To, as written
	Subject     string    `json:"subject,omitempty"`
	MessageID   string    `json:"message_id,omitempty"`
	InReplyTo   []string  `json:"in_reply_to,omitempty"`
	References  []string  `json:"references,omitempty"`
	Date        time.Time `json:"date"` // zero when missing or unreadable

	// Text is the full plain text: the text/plain part when there is one,
	// else text extracted from the HTML part. Nothing is removed from it.
	Text string `json:"text,omitempty"`
	// HTML is the HTML part sanitised for display (empty if there is none).
	HTML string `json:"html,omitempty"`
	// Reply is Text split into what the sender wrote now, the quoted
	// history and the signature, so the history can be folded for display.
	Reply Folded `json:"reply"`

	Inline      []Part `json:"inline,omitempty"`      // parts referenced by Content-ID (inline images)
	Attachments []Part `json:"attachments,omitempty"` // everything else that is not a body

	// Auto says why this mail was sent by a machine ("" for a person).
	Auto AutoKind `json:"auto,omitempty"`
	// Report is the delivery status report of a bounce or a DSN.
	Report *DeliveryReport `json:"report,omitempty"`

	header map[string][]string // canonical key → raw values, for Header
}

// Header returns the first raw value of a header field ("" if absent), for
// headers the parser does not model (X-Parley-Channel, List-Id…).
func (m *Mail) Header(key string) string {
	if v := m.header[canonicalKey(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Part is an attachment or an inline image, decoded from its transfer
// encoding.
type Part struct {
	ContentType string `json:"content_type"`
	Filename    string `json:"filename,omitempty"`
	ContentID   string `json:"content_id,omitempty"` // without angle brackets
	Inline      bool   `json:"inline,omitempty"`     // Content-Disposition: inline
	Data        []byte `json:"-"`
}

// Folded is a reply split for display. Visible + Quoted + Signature hold
// every line of the original text; only the order of the folded pieces may
// differ (a signature above the quote is shown folded too).
type Folded struct {
	Visible   string `json:"visible"`
	Quoted    string `json:"quoted,omitempty"`
	Signature string `json:"signature,omitempty"`
}

// AutoKind names why a mail was sent automatically.
type AutoKind string

// Automatic mail kinds. Anything but AutoNone must never open a ticket.
const (
	AutoNone   AutoKind = ""
	AutoReply  AutoKind = "auto_reply" // Auto-Submitted, X-Autoreply, X-Autorespond, Precedence: auto_reply
	AutoBulk   AutoKind = "bulk"       // Precedence: bulk or junk
	AutoList   AutoKind = "list"       // Precedence: list
	AutoReport AutoKind = "report"     // multipart/report: a bounce, DSN or read receipt
)

// DeliveryReport is what a multipart/report; report-type=delivery-status
// says about a message we sent (RFC 3464).
type DeliveryReport struct {
	ReportingMTA string `json:"reporting_mta,omitempty"`
	// OriginalMessageID is the Message-ID of the mail the report is about,
	// taken from the returned message or its headers.
	OriginalMessageID string            `json:"original_message_id,omitempty"`
	Recipients        []RecipientStatus `json:"recipients"`
}

// RecipientStatus is one per-recipient block of a delivery report.
type RecipientStatus struct {
	Recipient  string `json:"recipient"`            // the final recipient's address
	Action     string `json:"action"`               // failed, delayed, delivered, relayed, expanded
	Status     string `json:"status"`               // enhanced status code, e.g. 5.1.1
	Diagnostic string `json:"diagnostic,omitempty"` // the remote server's own words
}

// Failed reports whether the report says delivery to some recipient failed.
func (r *DeliveryReport) Failed() bool {
	for _, rc := range r.Recipients {
		if rc.Action == "failed" {
			return true
		}
	}
	return false
}

// HeaderValues returns every raw value of a header field, top first (the
// order receiving servers prepend trace fields in).
func (m *Mail) HeaderValues(key string) []string {
	return m.header[canonicalKey(key)]
}
