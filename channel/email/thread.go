package email

import (
	"crypto/sha256"
	"encoding/base32"
	"regexp"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email/mailparse"
)

// A thread token names a mail thread in a form that survives being put in
// an address: "t" + 16 lower-case base32 characters of SHA-256(root
// Message-ID). It is the ThreadKey of every event of the thread, whichever
// way the thread was recognised (plus-address, References, own id), so one
// thread always lands in one ticket. It also goes into the Reply-To
// plus-address (support+t<token>@…) and into our Message-IDs
// (<t<token>.<random>@…>), so a customer's reply finds its ticket even when
// their client drops References.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Token returns the thread token of a thread whose root Message-ID is
// rootID (without angle brackets). Message-IDs compare case-sensitively.
func Token(rootID string) string {
	sum := sha256.Sum256([]byte(strings.Trim(strings.TrimSpace(rootID), "<>")))
	return "t" + tokenEncoding.EncodeToString(sum[:10])
}

// IsToken reports whether s has the form of a thread token.
func IsToken(s string) bool { return tokenPattern.MatchString(s) }

var (
	tokenPattern = regexp.MustCompile(`^t[a-z2-7]{16}$`)
	// plusToken finds the token in a plus-address local part.
	plusToken = regexp.MustCompile(`\+(t[a-z2-7]{16})$`)
	// ownMessageID finds the token in a Message-ID Parley generated.
	ownMessageID = regexp.MustCompile(`^(t[a-z2-7]{16})\.[0-9a-z]+@`)
)

// PlusAddress is the Reply-To address that carries a thread's token.
func (c Config) PlusAddress(token string) string {
	return c.localPart() + "+" + token + "@" + c.domain()
}

// threadOf finds the thread of an inbound mail: the token of a
// plus-address it was sent to, else the token inside one of our own
// Message-IDs it answers, else the token of its thread root (the first
// References id, else In-Reply-To, else its own Message-ID). It returns
// the token and the root id it derived it from ("" when a token was found
// directly).
func threadOf(m *mailparse.Mail, ownID string) (token, root string) {
	if t := plusAddressToken(m); t != "" {
		return t, ""
	}
	for _, id := range append(append([]string{}, m.References...), m.InReplyTo...) {
		if sm := ownMessageID.FindStringSubmatch(strings.ToLower(id)); sm != nil {
			return sm[1], ""
		}
	}
	root = ownID
	if len(m.References) > 0 {
		root = m.References[0]
	} else if len(m.InReplyTo) > 0 {
		root = m.InReplyTo[0]
	}
	return Token(root), root
}

// plusAddressToken looks for support+t<token>@… in To, Cc and the
// envelope recipients (Delivered-To, X-Original-To).
func plusAddressToken(m *mailparse.Mail) string {
	var addrs []string
	for _, list := range [][]mailparse.Address{m.To, m.Cc} {
		for _, a := range list {
			addrs = append(addrs, a.Addr)
		}
	}
	addrs = append(addrs, m.DeliveredTo...)
	for _, a := range addrs {
		local, _, ok := strings.Cut(strings.ToLower(a), "@")
		if !ok {
			continue
		}
		if sm := plusToken.FindStringSubmatch(local); sm != nil {
			return sm[1]
		}
	}
	return ""
}

// NewThread starts the thread of a conversation an agent opens: its
// token (the ticket's ThreadKey) goes into the first mail's Message-ID
// and Reply-To, so the customer's answer finds the ticket. Agents reach
// mail contacts by e-mail address.
func (a *Adapter) NewThread() (threadKey string, kind parley.IdentityKind) {
	return Token("start." + randomID() + "@" + a.cfg.domain()), parley.IdentityEmail
}
