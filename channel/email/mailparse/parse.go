package mailparse

import (
	"bytes"
	"io"
	"net/textproto"
	"strings"

	"github.com/emersion/go-message"
	"github.com/parleyhq/parley"
)

// Limits keep hostile mail from costing more than it is worth: a message
// nested deeper or split into more parts than any real mail client produces
// is refused rather than walked.
const (
	MaxDepth       = 16
	MaxParts       = 500
	maxHeaderBytes = 256 << 10
)

// Parse reads a raw RFC 5322 message. It returns EINVALID when the bytes are
// not a mail at all (no header block, too deeply nested); a message with an
// unknown charset or a broken part is still parsed as far as it goes, since
// a customer's mail should reach an agent even when their client erred.
func Parse(raw []byte) (*Mail, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "mail is empty")
	}
	e, err := message.ReadWithOptions(bytes.NewReader(raw), &message.ReadOptions{MaxHeaderBytes: maxHeaderBytes})
	if err != nil && !isDecodingError(err) {
		return nil, parley.WrapError(parley.EINVALID, err, "mail header is malformed")
	}
	if e.Header.Len() == 0 {
		return nil, parley.Errorf(parley.EINVALID, "mail has no header fields")
	}
	m := &Mail{header: rawHeader(e.Header)}
	parseEnvelope(m, e.Header)
	w := walker{}
	if err := w.walk(e, 0, ""); err != nil {
		return nil, err
	}
	w.finish(m)
	m.Auto = detectAuto(e.Header, m.Report != nil || w.isReport)
	return m, nil
}

// isDecodingError reports whether go-message could not decode a charset or
// transfer encoding; it still returns a readable entity then.
func isDecodingError(err error) bool {
	return message.IsUnknownCharset(err) || message.IsUnknownEncoding(err)
}

// rawHeader copies the header fields into a map for Mail.Header.
func rawHeader(h message.Header) map[string][]string {
	out := map[string][]string{}
	fields := h.Fields()
	for fields.Next() {
		k := canonicalKey(fields.Key())
		out[k] = append(out[k], fields.Value())
	}
	return out
}

func canonicalKey(k string) string { return textproto.CanonicalMIMEHeaderKey(k) }

// readAll reads a decoded body; a decoding error part-way through keeps
// what was read (a truncated base64 tail should not lose the whole part).
func readAll(r io.Reader) []byte {
	b, _ := io.ReadAll(r)
	return b
}

// mediaType returns the lower-cased media type and its parameters, with
// text/plain as the RFC 2045 default for a missing or broken header.
func mediaType(h message.Header) (string, map[string]string) {
	t, params, err := h.ContentType()
	if err != nil || t == "" || !strings.Contains(t, "/") {
		if params == nil {
			params = map[string]string{}
		}
		return "text/plain", params
	}
	return strings.ToLower(t), params
}
