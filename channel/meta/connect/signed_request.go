package connect

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// SignedRequest is the payload of Meta's data-deletion (and deauthorize)
// callback.
type SignedRequest struct {
	Algorithm string           `json:"algorithm"`
	IssuedAt  int64            `json:"issued_at"`
	UserID    graph.FlexString `json:"user_id"`
}

// ParseSignedRequest verifies and decodes a signed_request:
// b64url(sig) "." b64url(payload), sig = HMAC-SHA256(app secret, payload
// part as sent). EUNAUTHORIZED on a bad signature, EINVALID on bad shape.
func ParseSignedRequest(appSecret, signed string) (SignedRequest, error) {
	sigPart, payloadPart, ok := strings.Cut(strings.TrimSpace(signed), ".")
	if !ok || sigPart == "" || payloadPart == "" {
		return SignedRequest{}, parley.Errorf(parley.EINVALID, "connect: signed_request is not sig.payload")
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(sigPart, "="))
	if err != nil {
		return SignedRequest{}, parley.Errorf(parley.EINVALID, "connect: signed_request signature is not base64url")
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(payloadPart))
	if appSecret == "" || !hmac.Equal(sig, mac.Sum(nil)) {
		return SignedRequest{}, parley.Errorf(parley.EUNAUTHORIZED, "connect: signed_request signature does not match")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(payloadPart, "="))
	if err != nil {
		return SignedRequest{}, parley.Errorf(parley.EINVALID, "connect: signed_request payload is not base64url")
	}
	var sr SignedRequest
	if err := json.Unmarshal(raw, &sr); err != nil {
		return SignedRequest{}, parley.WrapError(parley.EINVALID, err, "connect: signed_request payload is not JSON")
	}
	if !strings.EqualFold(sr.Algorithm, "HMAC-SHA256") {
		return SignedRequest{}, parley.Errorf(parley.EINVALID, "connect: signed_request algorithm %q", sr.Algorithm)
	}
	return sr, nil
}
