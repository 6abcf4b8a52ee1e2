package widget

import (
	"context"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// sessionRequest starts or resumes a visitor session. Every field is
// optional: a token resumes, details update the contact, user identifies.
type sessionRequest struct {
	Token   string     `json:"token"`
	Name    string     `json:"name"`
	Email   string     `json:"email"`
	Phone   string     `json:"phone"`
	Company string     `json:"company"`
	User    *userClaim `json:"user"`
	Locale  string     `json:"locale"`
}

// userClaim is the host site saying "this visitor is my user id", signed
// with the channel's identity secret on the host's server.
type userClaim struct {
	ID        string `json:"id"`
	Signature string `json:"signature"`
	Name      string `json:"name"`
	Email     string `json:"email"`
}

type sessionResponse struct {
	Token   string      `json:"token"`
	Visitor visitorView `json:"visitor"`
}

type visitorView struct {
	Name       string `json:"name"`
	Email      string `json:"email,omitempty"`
	Identified bool   `json:"identified"`
}

// serveSession answers POST /widget/v1/channels/{id}/session.
func (h *Handler) serveSession(w http.ResponseWriter, r *http.Request) {
	if err := h.limits.session.allow(clientIP(r), "sessions from this address"); err != nil {
		writeError(w, r, h.log, err)
		return
	}
	ch, err := h.loadChannel(r.Context(), r)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	var req sessionRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeError(w, r, h.log, err)
		return
	}
	resp, err := h.session(r.Context(), ch, &req)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) session(ctx context.Context, ch *widgetChannel, req *sessionRequest) (*sessionResponse, error) {
	d, err := checkDetails(req)
	if err != nil {
		return nil, err
	}
	v, c := h.resume(ctx, ch, req.Token)
	if req.User != nil {
		if err := checkUserSignature(ch.secret, req.User.ID, req.User.Signature); err != nil {
			return nil, err
		}
		if v, c, err = h.identify(ctx, ch, v, c, req.User); err != nil {
			return nil, err
		}
	}
	if v == nil {
		if v, c, err = h.newVisitor(ctx, ch, d.Name); err != nil {
			return nil, err
		}
	}
	if c, err = h.applyDetails(ctx, c, d); err != nil {
		return nil, err
	}
	return &sessionResponse{
		Token:   signToken(ch.secret, *v),
		Visitor: visitorView{Name: c.Name, Email: c.Email, Identified: v.Identified()},
	}, nil
}

// resume returns the visitor of a valid token whose contact still holds
// the visitor's identity; anything else starts afresh (never an error, so
// a stale token in a browser only costs the old thread).
func (h *Handler) resume(ctx context.Context, ch *widgetChannel, token string) (*visitor, *parley.Contact) {
	if token == "" {
		return nil, nil
	}
	v, err := parseToken(ch.secret, ch.ID, token)
	if err != nil {
		return nil, nil
	}
	c, err := h.visitorContact(ctx, ch.ID, v)
	if err != nil {
		return nil, nil
	}
	return v, c
}

// IdentityFinder is implemented by stores that can find a contact by one
// of its identities. With it, a visitor whose contact an agent merged into
// another keeps their session (the token names the old contact) and a
// signed-in user's first visit on a new device creates no contact; without
// it, such a visitor starts a new thread.
type IdentityFinder interface {
	FindContactByIdentity(ctx context.Context, kind parley.IdentityKind, scopeChannelID int64, value string) (*parley.Contact, error)
}

// visitorContact loads the token's contact and checks that it still owns
// the visitor's identity on this channel. If the identity moved (a merge),
// it follows it when the store can, and updates v.
func (h *Handler) visitorContact(ctx context.Context, channelID int64, v *visitor) (*parley.Contact, error) {
	c, err := h.cfg.Store.FindContactByID(ctx, v.ContactID)
	if err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
		return nil, err
	}
	if err == nil && hasIdentity(c, channelID, v.Key) {
		return c, nil
	}
	if c, err = h.findByIdentity(ctx, channelID, v.Key); err != nil || c == nil {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "visitor token is no longer valid")
	}
	v.ContactID = c.ID
	return c, nil
}

// findByIdentity returns the owner of a widget identity, or nil when the
// store cannot say or nobody holds it.
func (h *Handler) findByIdentity(ctx context.Context, channelID int64, key string) (*parley.Contact, error) {
	f, ok := h.cfg.Store.(IdentityFinder)
	if !ok {
		return nil, nil
	}
	c, err := f.FindContactByIdentity(ctx, parley.IdentityWidget, channelID, key)
	if parley.ErrorCode(err) == parley.ENOTFOUND || (err == nil && !hasIdentity(c, channelID, key)) {
		return nil, nil
	}
	return c, err
}

func hasIdentity(c *parley.Contact, channelID int64, key string) bool {
	for _, id := range c.Identities {
		if id.Kind == parley.IdentityWidget && id.ScopeChannelID == channelID && id.Value == key {
			return true
		}
	}
	return false
}

// newVisitor creates an anonymous visitor: a contact with a fresh,
// unguessable widget identity.
func (h *Handler) newVisitor(ctx context.Context, ch *widgetChannel, name string) (*visitor, *parley.Contact, error) {
	key := newAnonymousKey()
	if name == "" {
		name = "Visitor " + key[len(anonymousKeyPrefix):len(anonymousKeyPrefix)+6]
	}
	c, err := h.createContact(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if err := h.cfg.Store.AddIdentity(ctx, c.ID, &parley.Identity{
		Kind: parley.IdentityWidget, ScopeChannelID: ch.ID, Value: key, Verified: true,
	}); err != nil {
		return nil, nil, err
	}
	return &visitor{ChannelID: ch.ID, ContactID: c.ID, Key: key, IssuedAt: nowUnix(h.clock)}, c, nil
}

func (h *Handler) createContact(ctx context.Context, name string) (*parley.Contact, error) {
	c := &parley.Contact{Name: name, Attributes: map[string]string{"source": "widget"}}
	if err := h.cfg.Store.CreateContact(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// identify makes the visitor the host's user. The user's widget identity
// (verified: the signature checked out) joins the visitor's anonymous
// contact the first time; if another contact already holds it, the
// session moves to that contact, so a user sees their own conversations on
// every device, and the anonymous thread stays with the anonymous contact.
func (h *Handler) identify(ctx context.Context, ch *widgetChannel, v *visitor, c *parley.Contact, u *userClaim) (*visitor, *parley.Contact, error) {
	key := userKeyPrefix + u.ID
	if v != nil && v.Key == key {
		return v, c, nil
	}
	if v == nil || v.Identified() { // nobody yet, or another user signed in on this browser
		known, err := h.findByIdentity(ctx, ch.ID, key)
		if err != nil {
			return nil, nil, err
		}
		if known != nil {
			return &visitor{ChannelID: ch.ID, ContactID: known.ID, Key: key, IssuedAt: nowUnix(h.clock)}, known, nil
		}
		name := strings.TrimSpace(u.Name)
		if name == "" {
			name = "User " + u.ID
		}
		if c, err = h.createContact(ctx, name); err != nil {
			return nil, nil, err
		}
	}
	owner, err := h.claimIdentity(ctx, c.ID, ch.ID, key)
	if err != nil {
		return nil, nil, err
	}
	if owner != c.ID {
		if c, err = h.cfg.Store.FindContactByID(ctx, owner); err != nil {
			return nil, nil, err
		}
	}
	return &visitor{ChannelID: ch.ID, ContactID: owner, Key: key, IssuedAt: nowUnix(h.clock)}, c, nil
}

// claimIdentity adds the user's identity to contactID, or returns the
// contact that already holds it.
func (h *Handler) claimIdentity(ctx context.Context, contactID, channelID int64, key string) (int64, error) {
	err := h.cfg.Store.AddIdentity(ctx, contactID, &parley.Identity{
		Kind: parley.IdentityWidget, ScopeChannelID: channelID, Value: key, Verified: true,
	})
	if err == nil {
		return contactID, nil
	}
	if existing, ok := parley.ErrorDetails(err).(*parley.Identity); ok && parley.ErrorCode(err) == parley.ECONFLICT {
		return existing.ContactID, nil
	}
	return 0, err
}

// details are the contact fields a visitor typed, checked.
type details struct{ Name, Email, Phone, Company string }

func checkDetails(req *sessionRequest) (details, error) {
	d := details{
		Name: strings.TrimSpace(req.Name), Email: strings.ToLower(strings.TrimSpace(req.Email)),
		Phone: strings.TrimSpace(req.Phone), Company: strings.TrimSpace(req.Company),
	}
	if req.User != nil && d.Email == "" {
		d.Email = strings.ToLower(strings.TrimSpace(req.User.Email))
	}
	for field, v := range map[string]string{"name": d.Name, "company": d.Company} {
		if utf8.RuneCountInString(v) > 100 || strings.ContainsAny(v, "\x00\r\n") {
			return d, parley.Errorf(parley.EINVALID, "%s must be at most 100 characters on one line", field)
		}
	}
	if d.Email != "" {
		if a, err := mail.ParseAddress(d.Email); err != nil || a.Address != d.Email || len(d.Email) > 254 {
			return d, parley.Errorf(parley.EINVALID, "email %q is not an e-mail address", d.Email)
		}
	}
	if d.Phone != "" && !validPhone(d.Phone) {
		return d, parley.Errorf(parley.EINVALID, "phone %q is not a phone number", d.Phone)
	}
	return d, nil
}

func validPhone(p string) bool {
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, strings.ContainsRune(" -().", r):
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}

// applyDetails records what the visitor typed. An e-mail address becomes
// an unverified identity: it lets agents reach the visitor by mail but
// never links the contact to another one that has the same address.
func (h *Handler) applyDetails(ctx context.Context, c *parley.Contact, d details) (*parley.Contact, error) {
	var upd parley.ContactUpdate
	changed := false
	set := func(dst **string, v, current string, replace bool) {
		if v != "" && v != current && (current == "" || replace) {
			*dst, changed = &v, true
		}
	}
	set(&upd.Name, d.Name, c.Name, c.Attributes["source"] == "widget")
	set(&upd.Email, d.Email, c.Email, false)
	set(&upd.Phone, d.Phone, c.Phone, false)
	set(&upd.Company, d.Company, c.Company, false)
	if changed {
		updated, err := h.cfg.Store.UpdateContact(ctx, c.ID, upd)
		if err != nil {
			return nil, err
		}
		c = updated
	}
	if d.Email != "" {
		err := h.cfg.Store.AddIdentity(ctx, c.ID, &parley.Identity{Kind: parley.IdentityEmail, Value: d.Email, Verified: false})
		if err != nil && parley.ErrorCode(err) != parley.ECONFLICT {
			return nil, err
		}
	}
	return c, nil
}
