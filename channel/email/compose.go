package email

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/parleyhq/parley"
)

// outgoing is a composed mail ready for SMTP.
type outgoing struct {
	messageID string   // without angle brackets; the ExternalID of the sent message
	to        []string // envelope recipients: the customer, then any Cc
	raw       []byte
}

// file is an attachment loaded for sending.
type file struct {
	att  parley.Attachment
	data []byte
}

// compose builds the reply: a multipart/alternative text + HTML mail whose
// Message-ID carries the thread token, whose In-Reply-To and References
// continue the customer's thread, and whose Reply-To plus-address brings
// the answer back to the same ticket.
func (a *Adapter) compose(m parley.OutboundMessage, files []file, now time.Time) (*outgoing, error) {
	to := recipientAddress(m)
	if to == "" {
		return nil, parley.Errorf(parley.EINVALID, "no e-mail address to send message %d to", messageID(m))
	}
	token := threadToken(m)
	out := &outgoing{messageID: token + "." + randomID() + "@" + a.cfg.domain(), to: []string{to}}

	var h mail.Header
	h.SetAddressList("From", []*mail.Address{{Name: a.cfg.FromName, Address: a.cfg.FromAddress}})
	h.SetAddressList("To", []*mail.Address{{Name: contactName(m), Address: to}})
	if cc := a.ccAddresses(m, to); len(cc) > 0 {
		h.SetAddressList("Cc", cc)
		for _, c := range cc {
			out.to = append(out.to, c.Address)
		}
	}
	h.SetAddressList("Reply-To", []*mail.Address{{Name: a.cfg.FromName, Address: a.cfg.PlusAddress(token)}})
	refs := references(m)
	h.SetSubject(subject(m, len(refs) > 0))
	h.SetDate(now)
	h.SetMessageID(out.messageID)
	if len(refs) > 0 {
		h.SetMsgIDList("In-Reply-To", refs[len(refs)-1:])
		h.SetMsgIDList("References", refs)
	}
	h.Set("X-Loop", a.cfg.FromAddress)
	// Ask Exchange not to answer with out-of-office notes (bounces still come).
	h.Set("X-Auto-Response-Suppress", "OOF, AutoReply")

	var buf bytes.Buffer
	if err := writeBody(&buf, h, messageBody(m), files); err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "composing mail for message %d", messageID(m))
	}
	out.raw = buf.Bytes()
	return out, nil
}

// writeBody writes the text and its HTML rendering as alternatives, inside
// a multipart/mixed with the files when there are any.
func writeBody(w io.Writer, h mail.Header, text string, files []file) error {
	if len(files) == 0 {
		iw, err := mail.CreateInlineWriter(w, h)
		if err != nil {
			return err
		}
		return writeAlternatives(iw, text)
	}
	mw, err := mail.CreateWriter(w, h)
	if err != nil {
		return err
	}
	iw, err := mw.CreateInline()
	if err != nil {
		return err
	}
	if err := writeAlternatives(iw, text); err != nil {
		return err
	}
	for _, f := range files {
		var ah mail.AttachmentHeader
		ctype := f.att.ContentType
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		ah.SetContentType(ctype, nil)
		ah.SetFilename(f.att.Filename)
		fw, err := mw.CreateAttachment(ah)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
		if err := fw.Close(); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeAlternatives writes the plain text and its HTML rendering.
func writeAlternatives(mw *mail.InlineWriter, text string) error {
	for _, p := range []struct{ ctype, body string }{
		{"text/plain", text},
		{"text/html", textToHTML(text)},
	} {
		var ph mail.InlineHeader
		ph.SetContentType(p.ctype, map[string]string{"charset": "utf-8"})
		pw, err := mw.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(pw, p.body); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return mw.Close()
}

// textToHTML renders plain text as simple HTML: blank lines end paragraphs,
// line breaks are kept, everything is escaped.
func textToHTML(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><body>")
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		lines := strings.Split(strings.Trim(para, "\n"), "\n")
		for i := range lines {
			lines[i] = html.EscapeString(lines[i])
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\n") + "</p>\n")
	}
	b.WriteString("</body></html>")
	return b.String()
}

// threadToken is the conversation's thread token: its ThreadKey when that
// is a token (every mail thread is), else a token derived from what it has.
func threadToken(m parley.OutboundMessage) string {
	if c := m.Conversation; c != nil {
		switch {
		case IsToken(c.ThreadKey):
			return c.ThreadKey
		case c.ThreadKey != "":
			return Token(c.ThreadKey)
		default:
			return Token("conversation-" + strconv.FormatInt(c.ID, 10))
		}
	}
	return Token("message-" + strconv.FormatInt(messageID(m), 10))
}

// references continues the customer's thread: the ids the inbound mail
// listed (MetaReferences, copied onto the reply by the core) and the
// Message-ID being answered (Message.ReplyToID), oldest first, no repeats.
func references(m parley.OutboundMessage) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		id = strings.Trim(strings.TrimSpace(id), "<>")
		if id != "" && !seen[id] && !isSyntheticID(id) && !strings.ContainsAny(id, " \t\r\n<>") {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if msg := m.Message; msg != nil {
		for _, id := range strings.Fields(msg.Metadata[MetaReferences]) {
			add(id)
		}
		add(msg.ReplyToID)
	}
	return ids
}

// ccAddresses are the other recipients of a reply-all: MetaCc on the
// message (copied by the core from the customer's mail), without the
// customer and without this channel's own addresses.
func (a *Adapter) ccAddresses(m parley.OutboundMessage, to string) []*mail.Address {
	if m.Message == nil || m.Message.Metadata[MetaCc] == "" {
		return nil
	}
	var out []*mail.Address
	seen := map[string]bool{FoldAddress(to): true}
	for _, addr := range strings.Split(m.Message.Metadata[MetaCc], ",") {
		addr = FoldAddress(addr)
		if !strings.Contains(addr, "@") || seen[addr] || a.isOwnAddress(addr) || strings.ContainsAny(addr, " <>\r\n") {
			continue
		}
		seen[addr] = true
		out = append(out, &mail.Address{Address: addr})
	}
	return out
}

// subject is the mail's subject: MetaSubject if the agent set one, else
// the ticket's, with "Re: " when the mail answers one of the customer's.
func subject(m parley.OutboundMessage, answers bool) string {
	if m.Message != nil && m.Message.Metadata[MetaSubject] != "" {
		return m.Message.Metadata[MetaSubject]
	}
	if m.Conversation == nil || strings.TrimSpace(m.Conversation.Subject) == "" {
		if m.Conversation != nil {
			return fmt.Sprintf("Your request #%d", m.Conversation.Number)
		}
		return "Your request"
	}
	s := strings.TrimSpace(m.Conversation.Subject)
	if !answers || len(s) >= 3 && strings.EqualFold(s[:3], "re:") {
		return s
	}
	return "Re: " + s
}

func recipientAddress(m parley.OutboundMessage) string {
	if m.Recipient != nil && m.Recipient.Kind == parley.IdentityEmail && m.Recipient.Value != "" {
		return m.Recipient.Value
	}
	if m.Contact != nil {
		return m.Contact.Email
	}
	return ""
}

func contactName(m parley.OutboundMessage) string {
	if m.Contact != nil {
		return m.Contact.Name
	}
	return ""
}

func messageBody(m parley.OutboundMessage) string {
	if m.Message != nil {
		return m.Message.Body
	}
	return ""
}

func messageID(m parley.OutboundMessage) int64 {
	if m.Message != nil {
		return m.Message.ID
	}
	return 0
}

// randomID is 20 lower-case base32 characters of randomness.
func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails since Go 1.24
	return tokenEncoding.EncodeToString(b[:])
}

// ThreadReply makes an agent's reply answer the customer's last mail of
// the ticket: In-Reply-To its Message-ID, References its References plus
// its Message-ID, and reply-all to the others it was sent to. Values the
// agent set explicitly are kept.
func (a *Adapter) ThreadReply(reply, answered *parley.Message) {
	if answered == nil || answered.ExternalID == "" || isSyntheticID(answered.ExternalID) {
		return
	}
	if reply.Metadata == nil {
		reply.Metadata = map[string]string{}
	}
	if reply.ReplyToID == "" {
		reply.ReplyToID = answered.ExternalID
	}
	if _, set := reply.Metadata[MetaReferences]; !set {
		refs := answered.Metadata[MetaReferences]
		if refs == "" {
			refs = answered.ExternalID
		}
		reply.Metadata[MetaReferences] = refs
	}
	if _, set := reply.Metadata[MetaCc]; !set && answered.Metadata[MetaCc] != "" {
		reply.Metadata[MetaCc] = answered.Metadata[MetaCc]
	}
}

// isSyntheticID recognises the id Parley makes up for a mail without a
// Message-ID: no client knows it, so it must not appear in References.
func isSyntheticID(id string) bool { return strings.HasSuffix(id, "@parley.invalid") }
