package mailparse

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strings"

	"github.com/emersion/go-message"
)

func isDeliveryStatus(mt string) bool {
	return mt == "message/delivery-status" || mt == "message/global-delivery-status"
}

func isReturnedMessage(mt string) bool {
	switch mt {
	case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
		return true
	}
	return false
}

// reportFrom parses an RFC 3464 delivery-status body: one block of
// per-message fields, then one block per recipient, separated by blank lines.
func (w *walker) reportFrom(body []byte) {
	if w.report == nil {
		w.report = &DeliveryReport{}
	}
	blocks := statusBlocks(body)
	for i, b := range blocks {
		if i == 0 && b.Get("Reporting-Mta") != "" && b.Get("Final-Recipient") == "" {
			w.report.ReportingMTA = typedValue(b.Get("Reporting-Mta"))
			continue
		}
		rcpt := typedValue(b.Get("Final-Recipient"))
		if rcpt == "" {
			rcpt = typedValue(b.Get("Original-Recipient"))
		}
		if rcpt == "" {
			continue
		}
		w.report.Recipients = append(w.report.Recipients, RecipientStatus{
			Recipient:  strings.Trim(rcpt, "<>"),
			Action:     strings.ToLower(strings.TrimSpace(b.Get("Action"))),
			Status:     statusCode(b.Get("Status")),
			Diagnostic: decodeText(typedValue(b.Get("Diagnostic-Code"))),
		})
	}
}

// statusBlocks splits a delivery-status body into header blocks.
func statusBlocks(body []byte) []textproto.MIMEHeader {
	body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
	var out []textproto.MIMEHeader
	for _, chunk := range bytes.Split(body, []byte("\n\n")) {
		chunk = bytes.TrimSpace(chunk)
		if len(chunk) == 0 {
			continue
		}
		r := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(chunk, '\n', '\n'))))
		h, err := r.ReadMIMEHeader()
		if len(h) > 0 || err == nil {
			out = append(out, h)
		}
	}
	return out
}

// typedValue strips the address or diagnostic type of a field such as
// "rfc822; jane@example.com" or "smtp; 550 5.1.1 no such user".
func typedValue(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if i := strings.Index(v, ";"); i >= 0 {
		return strings.TrimSpace(v[i+1:])
	}
	return v
}

// statusCode keeps the enhanced status code, dropping any comment after it.
func statusCode(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// returnedMessage takes the Message-ID of the returned mail or its headers.
func (w *walker) returnedMessage(body []byte) {
	if w.report == nil {
		w.report = &DeliveryReport{}
	}
	if w.report.OriginalMessageID != "" {
		return
	}
	e, err := message.Read(bytes.NewReader(body))
	if err != nil && (e == nil || !isDecodingError(err)) {
		return
	}
	if ids := parseMsgIDs(e.Header.Get("Message-Id")); len(ids) > 0 {
		w.report.OriginalMessageID = ids[0]
	}
}
