package filestore

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// PublicPath is where platforms fetch stored files by signed URL.
const PublicPath = "/files/"

// DefaultURLLifetime is how long a signed URL works: long enough for a
// platform that fetches media late (WhatsApp may retry for hours), short
// enough that a leaked link dies.
const DefaultURLLifetime = 7 * 24 * time.Hour

// Signer makes and checks expiring public URLs of stored files:
// <BaseURL>/files/<key>?exp=<unix>&sig=<hex HMAC-SHA256(key "." exp)>.
type Signer struct {
	key      []byte
	baseURL  string
	Lifetime time.Duration // default DefaultURLLifetime
}

// NewSigner derives its own HMAC key from the instance secret, so the
// signature can never be used to learn or forge anything else the secret
// protects.
func NewSigner(instanceSecret []byte, baseURL string) *Signer {
	m := hmac.New(sha256.New, instanceSecret)
	m.Write([]byte("parley/file-url/v1"))
	return &Signer{key: m.Sum(nil), baseURL: strings.TrimRight(baseURL, "/")}
}

// URL returns the public address of key, valid for Lifetime and at most
// an hour more.
func (s *Signer) URL(key string, now time.Time) string {
	life := s.Lifetime
	if life <= 0 {
		life = DefaultURLLifetime
	}
	// Rounded up to the hour, so a file keeps one address for an hour and
	// browsers (the widget's history) can cache it.
	exp := strconv.FormatInt(now.Add(life).Truncate(time.Hour).Add(time.Hour).Unix(), 10)
	return s.baseURL + PublicPath + key + "?exp=" + exp + "&sig=" + s.sign(key, exp)
}

func (s *Signer) sign(key, exp string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(key + "." + exp))
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a URL's exp and sig for key at now: EFORBIDDEN when forged
// or expired.
func (s *Signer) Verify(key, exp, sig string, now time.Time) error {
	if !hmac.Equal([]byte(sig), []byte(s.sign(key, exp))) {
		return parley.Errorf(parley.EFORBIDDEN, "invalid file signature")
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.After(time.Unix(t, 0)) {
		return parley.Errorf(parley.EFORBIDDEN, "file link expired")
	}
	return nil
}
