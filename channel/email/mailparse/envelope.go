package mailparse

import (
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gocharset "github.com/emersion/go-message/charset" // importing it registers every charset of golang.org/x/text with go-message
	"golang.org/x/text/encoding/simplifiedchinese"
)

func init() {
	// Mail labelled GB2312 or GBK routinely carries characters only GBK or
	// GB18030 define (the sender's client wrote what it had). GB18030 is a
	// superset of both, so decoding with it never loses a character.
	for _, label := range []string{"gb2312", "gbk", "x-gbk", "cp936", "euc-cn", "x-euc-cn", "csgb2312"} {
		gocharset.RegisterEncoding(label, simplifiedchinese.GB18030)
	}
}

// wordDecoder decodes RFC 2047 encoded words in any charset go-message knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: message.CharsetReader}

// parseEnvelope fills the header fields of m. Every field is parsed
// leniently: a malformed address or id list keeps what can be recognised.
func parseEnvelope(m *Mail, h message.Header) {
	if from := parseAddresses(h.Get("From")); len(from) > 0 {
		m.From = &from[0]
	}
	m.To = parseAddresses(h.Get("To"))
	m.Cc = parseAddresses(h.Get("Cc"))
	m.ReplyTo = parseAddresses(h.Get("Reply-To"))
	for _, key := range []string{"Delivered-To", "X-Original-To"} {
		for _, v := range h.Values(key) {
			if a := parseAddresses(v); len(a) > 0 {
				m.DeliveredTo = append(m.DeliveredTo, a[0].Addr)
			}
		}
	}
	m.Subject = decodeText(h.Get("Subject"))
	if ids := parseMsgIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = parseMsgIDs(h.Get("In-Reply-To"))
	m.References = parseMsgIDs(h.Get("References"))
	m.Date = parseDate(h.Get("Date"))
}

// decodeText decodes RFC 2047 encoded words; raw 8-bit text is kept if it
// is valid UTF-8, and any invalid byte becomes U+FFFD.
func decodeText(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		s = d
	}
	return strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
}

// looseAddr finds addr-specs in text that is not a valid address list.
var looseAddr = regexp.MustCompile(`[^\s<>,;:"()\[\]]+@[^\s<>,;:"()\[\]]+`)

// parseAddresses parses an address list; if the list is not valid RFC 5322
// it falls back to picking out anything that looks like an address.
func parseAddresses(v string) []Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	parser := mail.AddressParser{WordDecoder: wordDecoder}
	if list, err := parser.ParseList(v); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: strings.ToValidUTF8(a.Name, "\uFFFD"), Addr: a.Address})
		}
		return out
	}
	var out []Address
	for _, part := range strings.Split(v, ",") {
		addr := looseAddr.FindString(part)
		if addr == "" {
			continue
		}
		name := strings.TrimSpace(strings.Trim(strings.Replace(part, addr, "", 1), " \t<>\""))
		out = append(out, Address{Name: decodeText(name), Addr: strings.ToValidUTF8(addr, "\uFFFD")})
	}
	return out
}

// msgIDPattern matches one <id> of a Message-ID, In-Reply-To or References.
var msgIDPattern = regexp.MustCompile(`<([^<>\s]+)>`)

// parseMsgIDs returns the message ids of a field without angle brackets.
// Ids written without brackets (some old clients) are accepted when they
// look like local@domain.
func parseMsgIDs(v string) []string {
	var ids []string
	for _, m := range msgIDPattern.FindAllStringSubmatch(v, -1) {
		ids = append(ids, strings.ToValidUTF8(m[1], ""))
	}
	if len(ids) > 0 {
		return ids
	}
	for _, f := range strings.Fields(v) {
		if strings.Contains(f, "@") {
			ids = append(ids, strings.ToValidUTF8(strings.Trim(f, "<>,;"), ""))
		}
	}
	return ids
}

// parseDate reads the Date field; an unreadable date is the zero time (the
// transport's arrival time is a better guess than a wrong one).
func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	t, err := mail.ParseDate(v)
	if err != nil {
		// Some clients append a zone name after the offset twice or add
		// a trailing comment mail.ParseDate rejects; retry without it.
		if i := strings.LastIndex(v, " ("); i > 0 {
			if t, err = mail.ParseDate(v[:i]); err == nil {
				return t.UTC()
			}
		}
		return time.Time{}
	}
	return t.UTC()
}
