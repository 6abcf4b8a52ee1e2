package identity

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

func TestFetchLookup(t *testing.T) {
	var mu sync.Mutex
	var gotURL, gotKey string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotURL, gotKey = r.URL.String(), r.Header.Get("Authorization")
		mu.Unlock()
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(`{"orders":3}`))
		case "/missing":
			http.NotFound(w, r)
		case "/broken":
			http.Error(w, "boom", http.StatusBadGateway)
		case "/html":
			w.Write([]byte("<html>"))
		case "/huge":
			w.Write([]byte(`"` + strings.Repeat("x", maxLookupBody) + `"`))
		case "/slow":
			time.Sleep(500 * time.Millisecond)
		}
	}))
	defer srv.Close()
	c := &parley.Contact{ID: 42, Email: "ana+x@example.com", Phone: "+4915112345678"}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fetch := func(path string) LookupResult {
		timeout := 5 * time.Second // generous: a busy machine must not turn answers into timeouts
		if path == "/slow" {
			timeout = 50 * time.Millisecond
		}
		cfg := LookupConfig{URLTemplate: srv.URL + path + "?e={email}&p={phone}&id={id}", HeaderName: "Authorization", HeaderValue: "Bearer k", Timeout: timeout}
		return FetchLookup(context.Background(), srv.Client(), cfg, c, now)
	}
	t.Run("answers are passed through with the template filled and escaped", func(t *testing.T) {
		res := fetch("/ok")
		if res.Status != LookupOK || string(res.Data) != `{"orders":3}` || !res.FetchedAt.Equal(now) {
			t.Fatalf("%+v", res)
		}
		mu.Lock()
		defer mu.Unlock()
		if gotURL != "/ok?e=ana%2Bx%40example.com&p=%2B4915112345678&id=42" || gotKey != "Bearer k" {
			t.Fatalf("request %s with %q", gotURL, gotKey)
		}
	})
	t.Run("unknown customers are null, not an error", func(t *testing.T) {
		if res := fetch("/missing"); res.Status != LookupOK || string(res.Data) != "null" {
			t.Fatalf("%+v", res)
		}
	})
	for path, want := range map[string]string{"/broken": "502", "/html": "not JSON", "/huge": "larger than", "/slow": "timed out"} {
		t.Run("failure "+path+" is reported", func(t *testing.T) {
			if res := fetch(path); res.Status != LookupError || !strings.Contains(res.Error, want) || res.Data != nil {
				t.Fatalf("%+v, want error with %q", res, want)
			}
		})
	}
	t.Run("no template, no lookup", func(t *testing.T) {
		if res := FetchLookup(context.Background(), nil, LookupConfig{}, c, now); res.Status != LookupDisabled {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("a closed port is an error without the customer's data in it", func(t *testing.T) {
		cfg := LookupConfig{URLTemplate: "http://127.0.0.1:1/?e={email}", Timeout: time.Second}
		res := FetchLookup(context.Background(), nil, cfg, c, now)
		if res.Status != LookupError || strings.Contains(res.Error, "ana") {
			t.Fatalf("%+v", res)
		}
	})
}

func TestLookupConfigValidation(t *testing.T) {
	for _, bad := range []LookupConfig{
		{URLTemplate: "ftp://x/{id}"}, {URLTemplate: "/relative/{id}"}, {URLTemplate: "https://x/{id}", HeaderName: "Bad Name"},
		{URLTemplate: "https://x/{id}", HeaderValue: "a\r\nb"}, {URLTemplate: "https://x/{id}", Timeout: time.Minute},
		{URLTemplate: "https://x/{id}", CacheTTL: -time.Second},
	} {
		if err := bad.Validate(); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	ok := LookupConfig{URLTemplate: "https://crm.example/api?email={email}"}
	if err := ok.Validate(); err != nil || ok.Timeout != DefaultLookupTimeout {
		t.Fatalf("%+v: %v", ok, err)
	}
}
