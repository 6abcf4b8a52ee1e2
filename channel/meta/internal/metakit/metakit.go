// Package metakit builds the channeltest.Kit pieces the four Meta adapters
// share: signing as Meta documents it, the hub.challenge handshake, batches
// (Meta concatenates entries), fixtures and the Graph error table.
package metakit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/channeltest"
)

// AppSecret and VerifyToken are the secrets kit channels use.
const (
	AppSecret   = "appsecret"
	VerifyToken = "verify-me"
)

// Secrets are a kit channel's secrets.
func Secrets() map[string]string {
	return map[string]string{"app_secret": AppSecret, "verify_token": VerifyToken, "access_token": "kit-token"}
}

// Sign sets X-Hub-Signature-256 as PLATFORMS.md §0 documents:
// "sha256=" + hex(HMAC-SHA256(app secret, raw body)).
func Sign(tb testing.TB, req *http.Request, body []byte) {
	tb.Helper()
	mac := hmac.New(sha256.New, []byte(AppSecret))
	mac.Write(body)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
}

// Handshake is Meta's verification GET.
func Handshake() *channeltest.Handshake {
	return &channeltest.Handshake{
		Answer: "1158201444",
		Request: func(tb testing.TB, ch *parley.Channel, valid bool) *http.Request {
			token := VerifyToken
			if !valid {
				token = "not-the-token"
			}
			q := url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1158201444"}, "hub.verify_token": {token}}
			return httptest.NewRequest(http.MethodGet, "https://parley.example/hooks/meta/1?"+q.Encode(), nil)
		},
	}
}

// Batch joins bodies of one object into one, entries concatenated, as
// Meta batches events.
func Batch(tb testing.TB, bodies [][]byte) []byte {
	tb.Helper()
	var object string
	var entries []json.RawMessage
	for _, b := range bodies {
		var env struct {
			Object string            `json:"object"`
			Entry  []json.RawMessage `json:"entry"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			tb.Fatalf("batch: %v", err)
		}
		object = env.Object
		entries = append(entries, env.Entry...)
	}
	out, err := json.Marshal(map[string]any{"object": object, "entry": entries})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// Fixtures reads testdata files of channel/meta/testdata (relative to an
// adapter package).
func Fixtures(tb testing.TB, names ...string) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("..", "testdata", n))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func graphError(status int, body string) channeltest.Response {
	return channeltest.Response{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

// GraphErrors is the Graph error table every Meta adapter must classify
// alike (PLATFORMS.md §0, §1).
func GraphErrors() []channeltest.ErrorCase {
	return []channeltest.ErrorCase{
		{Name: "4 app throttling", Response: graphError(400, `{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4,"fbtrace_id":"Ax"}}`), Class: parley.SendRateLimited},
		{Name: "17 user throttling", Response: graphError(400, `{"error":{"message":"(#17) User request limit reached","type":"OAuthException","code":17}}`), Class: parley.SendRateLimited},
		{Name: "32 page throttling", Response: graphError(400, `{"error":{"message":"(#32) Page request limit reached","code":32}}`), Class: parley.SendRateLimited},
		{Name: "613 with Retry-After", Response: channeltest.Response{Status: 400, Header: http.Header{"Retry-After": {"30"}}, Body: `{"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","code":613}}`}, Class: parley.SendRateLimited, RetryAfter: 30 * time.Second},
		{Name: "1 unknown error", Response: graphError(500, `{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1}}`), Class: parley.SendTransient},
		{Name: "2 service error", Response: graphError(503, `{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","code":2,"is_transient":true}}`), Class: parley.SendTransient},
		{Name: "bare 502", Response: channeltest.Response{Status: 502, Body: "<html>Bad Gateway</html>"}, Class: parley.SendTransient},
		{Name: "190 expired token", Response: graphError(401, `{"error":{"message":"Error validating access token: Session has expired.","type":"OAuthException","code":190,"error_subcode":463}}`), Class: parley.SendAuth},
		{Name: "10/2018278 window closed", Response: graphError(400, `{"error":{"message":"(#10) This message is sent outside of allowed window.","type":"OAuthException","code":10,"error_subcode":2018278}}`), Class: parley.SendPermanent, Reason: "outside of allowed window"},
		{Name: "551/1545041 unavailable", Response: graphError(400, `{"error":{"message":"(#551) This person isn't available right now.","type":"OAuthException","code":551,"error_subcode":1545041}}`), Class: parley.SendPermanent, Reason: "isn't available"},
		{Name: "100 invalid parameter", Response: graphError(400, `{"error":{"message":"(#100) No matching user found","type":"OAuthException","code":100,"error_subcode":2018001}}`), Class: parley.SendPermanent, Reason: "No matching user"},
	}
}

// WhatsAppErrors adds the Cloud API's codes (PLATFORMS.md §4).
func WhatsAppErrors() []channeltest.ErrorCase {
	wa := func(code int, msg, details string) channeltest.Response {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": code,
			"error_data": map[string]any{"messaging_product": "whatsapp", "details": details}, "fbtrace_id": "Ax"}})
		return graphError(400, string(b))
	}
	return append(GraphErrors(),
		channeltest.ErrorCase{Name: "80007 WABA rate", Response: wa(80007, "(#80007) Rate limit issues", "WABA rate limit"), Class: parley.SendRateLimited},
		channeltest.ErrorCase{Name: "130429 throughput", Response: wa(130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."), Class: parley.SendRateLimited},
		channeltest.ErrorCase{Name: "131056 pair rate", Response: wa(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit", "too many messages to the same number"), Class: parley.SendRateLimited},
		channeltest.ErrorCase{Name: "131047 re-engagement", Response: wa(131047, "Re-engagement message", "more than 24 hours have passed"), Class: parley.SendPermanent, Reason: "24 hours"},
		channeltest.ErrorCase{Name: "131026 undeliverable", Response: wa(131026, "Message undeliverable", "Message Undeliverable."), Class: parley.SendPermanent, Reason: "undeliverable"},
		channeltest.ErrorCase{Name: "132001 template missing", Response: wa(132001, "(#132001) Template name does not exist in the translation", "template order_update does not exist in en_US"), Class: parley.SendPermanent, Reason: "does not exist"},
		channeltest.ErrorCase{Name: "131016 service unavailable", Response: wa(131016, "(#131016) Service unavailable", "A service is temporarily unavailable."), Class: parley.SendTransient},
		channeltest.ErrorCase{Name: "0 AuthException", Response: channeltest.Response{Status: 401, Body: `{"error":{"message":"(#0) AuthException","type":"AuthException","code":0}}`}, Class: parley.SendAuth},
	)
}
