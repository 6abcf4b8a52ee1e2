package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// Req is one request of a scenario.
type Req struct {
	Method, Path string
	Body         any // encoded as JSON unless []byte or string
	Header       http.Header
	Cookie       *http.Cookie
	Token        string
}

// Do sends r through h and returns the recorded response.
func Do(tb testing.TB, h http.Handler, r Req) *httptest.ResponseRecorder {
	tb.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("encoding body: %v", err)
		}
		body = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Cookie != nil {
		req.AddCookie(r.Cookie)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// MustDecode decodes a JSON response into T.
func MustDecode[T any](tb testing.TB, rec *httptest.ResponseRecorder) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		tb.Fatalf("decoding %q: %v", rec.Body.String(), err)
	}
	return v
}

// ErrorCodeOf returns error.code of an error response.
func ErrorCodeOf(tb testing.TB, rec *httptest.ResponseRecorder) string {
	tb.Helper()
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	return e.Error.Code
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
