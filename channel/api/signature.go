package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Signature headers, the same in both directions.
const (
	HeaderTimestamp = "X-Parley-Timestamp" // unix seconds
	HeaderSignature = "X-Parley-Signature" // "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)
	HeaderDelivery  = "X-Parley-Delivery"  // outbound idempotency key
)

// ReplayWindow is how far a request's timestamp may be from now.
const ReplayWindow = 5 * time.Minute

const signaturePrefix = "sha256="

// Signature returns the X-Parley-Signature value of body sent at unix
// second ts: "sha256=" + hex(HMAC-SHA256(secret, ts + "." + body)).
func Signature(secret []byte, ts int64, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(secret, ts, body))
}

// SignRequest sets the timestamp and signature headers of r for body sent
// at time at. Clients and load generators use it to call the API channel.
func SignRequest(r *http.Request, secret []byte, at time.Time, body []byte) {
	ts := at.Unix()
	r.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	r.Header.Set(HeaderSignature, Signature(secret, ts, body))
}

func mac(secret []byte, ts int64, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(strconv.FormatInt(ts, 10)))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// VerifyWebhook checks the request's signature over the raw body and that
// its timestamp is within ReplayWindow of now. Every failure is
// EUNAUTHORIZED; the messages say which check failed but never leak the
// expected signature.
func (a *Adapter) VerifyWebhook(r *http.Request, body []byte) error {
	tsText := strings.TrimSpace(r.Header.Get(HeaderTimestamp))
	sigText := strings.TrimSpace(r.Header.Get(HeaderSignature))
	if tsText == "" || sigText == "" {
		return parley.Errorf(parley.EUNAUTHORIZED, "missing %s or %s header", HeaderTimestamp, HeaderSignature)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return parley.Errorf(parley.EUNAUTHORIZED, "%s must be unix seconds", HeaderTimestamp)
	}
	if skew := a.clock.Now().Sub(time.Unix(ts, 0)); skew > ReplayWindow || skew < -ReplayWindow {
		return parley.Errorf(parley.EUNAUTHORIZED, "%s is more than %s from now (replay refused)", HeaderTimestamp, ReplayWindow)
	}
	hexSig, ok := strings.CutPrefix(sigText, signaturePrefix)
	if !ok {
		return parley.Errorf(parley.EUNAUTHORIZED, "%s must start with %q", HeaderSignature, signaturePrefix)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return parley.Errorf(parley.EUNAUTHORIZED, "%s is not hexadecimal", HeaderSignature)
	}
	if !hmac.Equal(got, mac(a.secret, ts, body)) {
		return parley.Errorf(parley.EUNAUTHORIZED, "signature does not match the body")
	}
	return nil
}
