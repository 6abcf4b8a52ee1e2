package channeltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
)

// NewWebhookRequest returns the POST the platform would make to the
// channel's webhook URL, unsigned.
func NewWebhookRequest(ch *parley.Channel, body []byte) *http.Request {
	url := fmt.Sprintf("https://parley.example/hooks/%s/%d", ch.Platform, ch.ID)
	req := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// signedRequest returns a request that Kit.Sign made valid for body.
func signedRequest(tb testing.TB, k Kit, ch *parley.Channel, body []byte) *http.Request {
	tb.Helper()
	req := NewWebhookRequest(ch, body)
	k.Sign(tb, req, body)
	return req
}

// verifySafely calls VerifyWebhook, turning a panic into a failure.
func verifySafely(tb testing.TB, a parley.Adapter, req *http.Request, body []byte) (err error) {
	tb.Helper()
	defer func() {
		if p := recover(); p != nil {
			tb.Fatalf("VerifyWebhook panicked: %v\nbody: %q", p, clip(body))
		}
	}()
	return a.VerifyWebhook(req, body)
}

// mustRefuse fails unless VerifyWebhook refuses with EUNAUTHORIZED.
func mustRefuse(tb testing.TB, what string, a parley.Adapter, req *http.Request, body []byte) {
	tb.Helper()
	err := verifySafely(tb, a, req, body)
	if code := parley.ErrorCode(err); code != parley.EUNAUTHORIZED {
		tb.Fatalf("%s: VerifyWebhook error = %v (code %q), want %q", what, err, code, parley.EUNAUTHORIZED)
	}
}

func checkValid(t *testing.T, k Kit) {
	a, ch := k.New(t)
	for i, body := range k.Valid {
		if err := verifySafely(t, a, signedRequest(t, k, ch, body), body); err != nil {
			t.Fatalf("Valid[%d]: signed body refused: %v", i, err)
		}
		MustParse(t, a, ch, body)
	}
}

func runSignatureChecks(t *testing.T, k Kit) {
	a, ch := k.New(t)
	t.Run("unsigned request is refused", func(t *testing.T) {
		for _, body := range k.Valid {
			mustRefuse(t, "unsigned", a, NewWebhookRequest(ch, body), body)
		}
	})
	t.Run("corrupted signature headers are refused", func(t *testing.T) {
		for _, body := range k.Valid {
			req := signedRequest(t, k, ch, body)
			names := signedHeaders(NewWebhookRequest(ch, body).Header, req.Header)
			if len(names) == 0 {
				t.Skip("Sign sets no headers; nothing to corrupt")
			}
			for _, name := range names {
				req.Header.Set(name, corrupt(req.Header.Get(name)))
			}
			mustRefuse(t, fmt.Sprintf("headers %v corrupted", names), a, req, body)
		}
	})
	t.Run("tampered body is refused", func(t *testing.T) {
		for _, body := range k.Valid {
			req := signedRequest(t, k, ch, body)
			tampered := bytes.Clone(body)
			mid := len(tampered) / 2
			tampered[mid] = otherByte(tampered[mid])
			mustRefuse(t, "one byte changed", a, req, tampered)
			mustRefuse(t, "byte appended", a, req, append(bytes.Clone(body), ' '))
		}
	})
	t.Run("signature covers the raw bytes, not the JSON content", func(t *testing.T) {
		checked := 0
		for _, body := range k.Valid {
			var indented bytes.Buffer
			if json.Indent(&indented, body, "", "  ") != nil || bytes.Equal(indented.Bytes(), body) {
				continue
			}
			checked++
			mustRefuse(t, "re-encoded JSON", a, signedRequest(t, k, ch, body), indented.Bytes())
		}
		if checked == 0 {
			t.Skip("no Valid body is JSON")
		}
	})
}

// signedHeaders lists the headers Sign added or changed.
func signedHeaders(before, after http.Header) []string {
	var names []string
	for name, values := range after {
		if !slices.Equal(before[name], values) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// corrupt changes one character in the middle of a header value, keeping
// its alphabet, so the value still parses but no longer matches.
func corrupt(v string) string {
	b := []byte(v)
	for i := len(b) / 2; i < len(b); i++ {
		if isAlnum(b[i]) {
			b[i] = otherAlnum(b[i])
			return string(b)
		}
	}
	return v + "0"
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func otherAlnum(c byte) byte {
	switch c {
	case '0':
		return '1'
	case 'a':
		return 'b'
	case 'A':
		return 'B'
	}
	if c >= '0' && c <= '9' {
		return '0'
	}
	if c >= 'a' && c <= 'z' {
		return 'a'
	}
	return 'A'
}

func otherByte(c byte) byte {
	if c == 'x' {
		return 'y'
	}
	return 'x'
}

func checkHandshake(t *testing.T, k Kit) {
	a, ch := k.New(t)
	h, ok := a.(parley.Handshaker)
	if !ok {
		t.Fatalf("%T has a Kit.Handshake but does not implement parley.Handshaker", a)
	}
	t.Run("right token is answered with the challenge", func(t *testing.T) {
		w := httptest.NewRecorder()
		if !h.Handshake(w, k.Handshake.Request(t, ch, true)) {
			t.Fatal("Handshake did not answer a valid handshake")
		}
		if w.Code != http.StatusOK || w.Body.String() != k.Handshake.Answer {
			t.Fatalf("answer = %d %q, want 200 %q", w.Code, w.Body.String(), k.Handshake.Answer)
		}
	})
	t.Run("wrong token is refused", func(t *testing.T) {
		w := httptest.NewRecorder()
		if !h.Handshake(w, k.Handshake.Request(t, ch, false)) {
			t.Fatal("Handshake left a handshake with a wrong token unanswered")
		}
		if w.Code < 400 || w.Code > 499 || w.Body.String() == k.Handshake.Answer {
			t.Fatalf("answer = %d %q, want a 4xx without the challenge", w.Code, w.Body.String())
		}
	})
}
