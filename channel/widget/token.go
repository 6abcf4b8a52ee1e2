package widget

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/parleyhq/parley"
)

// visitor is what a visitor token carries: which contact, on which channel,
// known by which widget identity. Tokens are signed, so a visitor cannot
// name another visitor's contact; the key is 128 random bits (anonymous
// visitors) or "u:" + the host's user id (signed-in users).
type visitor struct {
	ChannelID int64  `json:"ch"`
	ContactID int64  `json:"ct"`
	Key       string `json:"k"`
	IssuedAt  int64  `json:"iat"`
}

// Identified reports whether the host site vouched for the visitor.
func (v *visitor) Identified() bool { return strings.HasPrefix(v.Key, userKeyPrefix) }

const (
	anonymousKeyPrefix = "v:"
	userKeyPrefix      = "u:"
	tokenVersion       = "pw1"
	maxTokenLength     = 1024
	maxUserIDLength    = 255
)

// tokenKey derives the token signing key from the channel's identity
// secret, so that a token and a user signature are never interchangeable.
func tokenKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("parley widget visitor token v1"))
	return m.Sum(nil)
}

// signToken makes a token: version.payload.signature, base64url.
func signToken(secret string, v visitor) string {
	payload, _ := json.Marshal(v)
	body := tokenVersion + "." + base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, tokenKey(secret))
	m.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// parseToken checks a token's signature and channel. Any failure is
// EUNAUTHORIZED without saying which part was wrong.
func parseToken(secret string, channelID int64, token string) (*visitor, error) {
	refused := parley.Errorf(parley.EUNAUTHORIZED, "visitor token is not valid for this widget")
	if len(token) > maxTokenLength || secret == "" {
		return nil, refused
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 || !strings.HasPrefix(token, tokenVersion+".") {
		return nil, refused
	}
	body, sig := token[:i], token[i+1:]
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return nil, refused
	}
	m := hmac.New(sha256.New, tokenKey(secret))
	m.Write([]byte(body))
	if !hmac.Equal(got, m.Sum(nil)) {
		return nil, refused
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(body, tokenVersion+"."))
	if err != nil {
		return nil, refused
	}
	var v visitor
	if err := json.Unmarshal(payload, &v); err != nil || v.ChannelID != channelID || v.ContactID <= 0 || v.Key == "" {
		return nil, refused
	}
	return &v, nil
}

// newAnonymousKey is an unguessable visitor key.
func newAnonymousKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return anonymousKeyPrefix + hex.EncodeToString(b)
}

// UserSignature is what the host site computes on its server to identify
// a signed-in user: hex(HMAC-SHA256(identity secret, user id)). The secret
// must never reach the browser.
func UserSignature(secret, userID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))
}

// checkUserSignature verifies a host's claim that the visitor is userID.
// Unsigned or wrongly signed claims are EUNAUTHORIZED: they never link.
func checkUserSignature(secret, userID, signature string) error {
	if userID == "" || len(userID) > maxUserIDLength || strings.ContainsAny(userID, "\x00\r\n") {
		return parley.Errorf(parley.EINVALID, "user id must be 1 to %d characters on one line", maxUserIDLength)
	}
	want := UserSignature(secret, userID)
	if !hmac.Equal([]byte(strings.ToLower(signature)), []byte(want)) {
		return parley.Errorf(parley.EUNAUTHORIZED, "user signature does not match the user id")
	}
	return nil
}

// nowUnix is a token's issue time.
func nowUnix(c parley.Clock) int64 { return c.Now().Unix() }
