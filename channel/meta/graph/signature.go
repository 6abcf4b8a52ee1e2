package graph

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/parleyhq/parley"
)

// SignatureHeader carries Meta's webhook signature.
const SignatureHeader = "X-Hub-Signature-256"

// Sign returns the X-Hub-Signature-256 value Meta sends for body:
// "sha256=" + hex(HMAC-SHA256(appSecret, body)).
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks header (the X-Hub-Signature-256 value) against the
// raw body in constant time. It returns EUNAUTHORIZED when the secret is not
// configured, the header is missing or malformed, or the MAC differs.
func VerifySignature(appSecret, header string, body []byte) error {
	if appSecret == "" {
		return parley.Errorf(parley.EUNAUTHORIZED, "meta: channel has no app_secret to check signatures with")
	}
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return parley.Errorf(parley.EUNAUTHORIZED, "meta: missing or malformed %s", SignatureHeader)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return parley.Errorf(parley.EUNAUTHORIZED, "meta: malformed %s", SignatureHeader)
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return parley.Errorf(parley.EUNAUTHORIZED, "meta: webhook signature does not match")
	}
	return nil
}

// VerifyRequest checks the signature of a webhook request whose raw body
// has already been read.
func VerifyRequest(appSecret string, r *http.Request, body []byte) error {
	if r == nil {
		return parley.Errorf(parley.EUNAUTHORIZED, "meta: no request")
	}
	return VerifySignature(appSecret, r.Header.Get(SignatureHeader), body)
}
