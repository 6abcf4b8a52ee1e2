package email

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email/mailparse"
)

// Metadata keys set on inbound mail events.
const (
	MetaHTML       = "email_html"       // the HTML body, sanitised for display
	MetaFullText   = "email_full_text"  // the whole text with history and signature, when Text is shorter
	MetaQuoted     = "email_quoted"     // the folded quoted history
	MetaSignature  = "email_signature"  // the folded signature
	MetaReferences = "email_references" // thread ids, space separated: copy onto the reply's Message.Metadata
	MetaThreadRoot = "email_thread_root"
	MetaCc         = "email_cc"       // other recipients, comma separated, for reply-all
	MetaReplyTo    = "email_reply_to" // the Reply-To address when it differs from From
	// MetaSubject on an outbound Message overrides the reply's subject; on
	// an inbound one it is the mail's own subject (the ticket keeps only the
	// first), so the thread can show what each mail was titled.
	MetaSubject = "email_subject"
	// MetaHTMLOmitted holds the size of an HTML body too big to carry.
	MetaHTMLOmitted = "email_html_omitted"
)

// Size limits keep one event well under the inbound stream's 1 MiB message
// limit, however big the mail: a mail whose event cannot be published would
// be retried forever and hold up the mailbox behind it.
const (
	MaxTextBytes = 128 << 10 // Text, full text and quoted history, each
	MaxHTMLBytes = 256 << 10 // larger HTML is left out (its text is kept)
)

// truncate cuts s to at most max bytes on a character boundary, marking
// the cut.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len(truncatedMark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + truncatedMark
}

const truncatedMark = "\n[…]"

// ParseWebhook turns one raw RFC 5322 mail into canonical events. Mail that
// a machine sent (auto-replies, bulk and list mail, loops of our own mail,
// reports that are not delivery reports) is dropped: it returns no event, so
// it can never open a ticket. A delivery report becomes a receipt on the
// original message: failed with the remote server's reason, or delivered.
//
// The sender's address counts as verified, as the mailbox provider that
// delivered the mail filtered it, unless the channel names the servers it
// trusts (trusted_authserv_ids): then their Authentication-Results decide,
// as on the SMTP endpoint (see ParseUnauthenticated).
func (a *Adapter) ParseWebhook(raw []byte) ([]*parley.InboundEvent, error) {
	if len(a.cfg.TrustedAuthServIDs) > 0 {
		return a.parse(raw, &SenderAuth{TrustedIDs: a.cfg.TrustedAuthServIDs})
	}
	return a.parse(raw, nil)
}

// ParseUnauthenticated parses mail whose From nobody checked (it came
// straight to Parley's SMTP endpoint): the sender is verified only if a
// server in trusted (or the channel's trusted_authserv_ids) vouches for it
// in an Authentication-Results header. Otherwise the address is stored
// unverified, so it can never link the mail to an existing contact.
func (a *Adapter) ParseUnauthenticated(raw []byte, trusted []string) ([]*parley.InboundEvent, error) {
	ids := append(append([]string{}, trusted...), a.cfg.TrustedAuthServIDs...)
	return a.parse(raw, &SenderAuth{TrustedIDs: ids})
}

// parse turns raw into events; auth nil means the From is trusted.
func (a *Adapter) parse(raw []byte, auth *SenderAuth) ([]*parley.InboundEvent, error) {
	m, err := mailparse.Parse(raw)
	if err != nil {
		return nil, err
	}
	if why := a.dropReason(m); why != "" {
		a.Logger.Info("email: dropped inbound mail", "channel", a.channel.ID, "message_id", m.MessageID, "reason", why)
		return []*parley.InboundEvent{}, nil
	}
	if m.Report != nil {
		return a.receipts(m), nil
	}
	if m.From == nil || !strings.Contains(m.From.Addr, "@") {
		return nil, parley.Errorf(parley.EINVALID, "mail %q has no sender address", m.MessageID)
	}
	ev := a.messageEvent(context.Background(), m, raw)
	if auth != nil && !auth.Verified(m.HeaderValues("Authentication-Results"), m.From.Addr) {
		ev.Sender.Verified = false
		a.Logger.Info("email: sender not authenticated by a trusted server; stored unverified", "channel", a.channel.ID, "message_id", m.MessageID)
	}
	return []*parley.InboundEvent{ev}, nil
}

// dropReason says why a mail must not become an event ("" to keep it).
func (a *Adapter) dropReason(m *mailparse.Mail) string {
	switch {
	case m.From != nil && a.isOwnAddress(m.From.Addr):
		return "sent by this channel's own address (loop)"
	case strings.Contains(strings.ToLower(m.Header("X-Loop")), strings.ToLower(a.cfg.FromAddress)):
		return "X-Loop names this channel (loop)"
	case m.Report != nil && len(m.Report.Recipients) > 0:
		return "" // delivery reports become receipts
	case m.Auto != mailparse.AutoNone:
		return "automatic mail: " + string(m.Auto)
	}
	return ""
}

func (a *Adapter) messageEvent(ctx context.Context, m *mailparse.Mail, raw []byte) *parley.InboundEvent {
	id := m.MessageID
	if id == "" {
		sum := sha256.Sum256(raw)
		id = "missing-" + hex.EncodeToString(sum[:16]) + "@parley.invalid"
	}
	token, root := threadOf(m, id)
	ev := &parley.InboundEvent{
		Kind:       parley.InboundMessage,
		ChannelID:  a.channel.ID,
		Platform:   parley.PlatformEmail,
		ExternalID: id,
		ThreadKey:  token,
		Subject:    m.Subject,
		Sender:     parley.Sender{Kind: parley.IdentityEmail, ID: FoldAddress(m.From.Addr), Name: m.From.Name, Verified: true},
		Direction:  parley.DirectionIn,
		Timestamp:  a.timestamp(m.Date),
		Text:       truncate(m.Reply.Visible, MaxTextBytes),
		Metadata:   map[string]string{},
	}
	if len(m.InReplyTo) > 0 {
		ev.ReplyTo = m.InReplyTo[0]
	}
	a.setMetadata(ev, m, root)
	ev.Attachments = a.attachments(ctx, m)
	return ev
}

func (a *Adapter) setMetadata(ev *parley.InboundEvent, m *mailparse.Mail, root string) {
	set := func(k, v string) {
		if v != "" {
			ev.Metadata[k] = v
		}
	}
	if len(m.HTML) <= MaxHTMLBytes {
		set(MetaHTML, m.HTML)
	} else {
		set(MetaHTMLOmitted, strconv.Itoa(len(m.HTML)))
	}
	if m.Text != m.Reply.Visible {
		set(MetaFullText, truncate(m.Text, MaxTextBytes))
	}
	set(MetaQuoted, truncate(m.Reply.Quoted, MaxTextBytes))
	set(MetaSignature, truncate(m.Reply.Signature, 4<<10))
	set(MetaReferences, strings.Join(append(append([]string{}, m.References...), ev.ExternalID), " "))
	set(MetaThreadRoot, root)
	set(MetaSubject, m.Subject)
	var cc []string
	for _, list := range [][]mailparse.Address{m.To, m.Cc} {
		for _, addr := range list {
			if !a.isOwnAddress(addr.Addr) {
				cc = append(cc, FoldAddress(addr.Addr))
			}
		}
	}
	set(MetaCc, strings.Join(cc, ", "))
	if len(m.ReplyTo) > 0 && !strings.EqualFold(m.ReplyTo[0].Addr, m.From.Addr) {
		set(MetaReplyTo, FoldAddress(m.ReplyTo[0].Addr))
	}
}

// isOwnAddress reports whether addr is this channel's address or one of
// its plus-addresses.
func (a *Adapter) isOwnAddress(addr string) bool {
	local, domain, _ := strings.Cut(FoldAddress(addr), "@")
	base, _, _ := strings.Cut(local, "+")
	return domain == a.cfg.domain() && base == strings.ToLower(a.cfg.localPart())
}

// timestamp is the mail's Date, unless it is missing or lies in the
// future (a sender's wrong clock must not reorder the thread).
func (a *Adapter) timestamp(date time.Time) time.Time {
	now := a.Clock.Now()
	if date.IsZero() || date.After(now.Add(time.Hour)) {
		return now
	}
	return date
}

// FoldAddress case-folds an e-mail address for matching identities. Both
// halves are folded: case-sensitive local parts exist in theory, but no
// mail system a customer uses relies on them, and folding is what lets the
// same customer be recognised across mails.
func FoldAddress(addr string) string {
	return strings.ToLower(strings.TrimSpace(addr))
}
