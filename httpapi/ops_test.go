package httpapi_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parleyhq/parley/httpapi"
)

func TestHealthAndMetrics(t *testing.T) {
	var ready error
	srv := httpapi.New(httpapi.Config{Ready: func(context.Context) error { return ready }, Logger: slog.New(slog.DiscardHandler)})
	t.Run("healthz answers while the process runs", func(t *testing.T) {
		if rec := Do(t, srv, Req{Method: "GET", Path: "/healthz"}); rec.Code != http.StatusOK {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("readyz follows Ready", func(t *testing.T) {
		if rec := Do(t, srv, Req{Method: "GET", Path: "/readyz"}); rec.Code != http.StatusOK {
			t.Fatalf("%d", rec.Code)
		}
		ready = errors.New("database gone")
		if rec := Do(t, srv, Req{Method: "GET", Path: "/readyz"}); rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("metrics show request latency by route pattern", func(t *testing.T) {
		rec := Do(t, srv, Req{Method: "GET", Path: "/metrics"})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `parley_http_request_duration_seconds_count{code="503",route="GET /readyz"}`) {
			t.Fatalf("%d\n%s", rec.Code, rec.Body)
		}
	})
	t.Run("a panic becomes a logged 500 with the generic message", func(t *testing.T) {
		// No store is configured: authenticating a token dereferences it.
		rec := Do(t, srv, Req{Method: "GET", Path: "/api/v1/me", Token: "pt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
		if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"internal error"`) {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestWebApp(t *testing.T) {
	web := fstest.MapFS{
		"index.html":    {Data: []byte("<!doctype html><title>Parley</title>")},
		"assets/app.js": {Data: []byte("console.log(1)")},
	}
	srv := httpapi.New(httpapi.Config{Web: web, Logger: slog.New(slog.DiscardHandler)})
	for path, want := range map[string]string{
		"/":                  "<title>Parley</title>",
		"/inbox/42":          "<title>Parley</title>",
		"/assets/app.js":     "console.log(1)",
		"/settings/channels": "<title>Parley</title>",
	} {
		t.Run(path, func(t *testing.T) {
			rec := Do(t, srv, Req{Method: "GET", Path: path})
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
				t.Fatalf("%d %q", rec.Code, rec.Body)
			}
		})
	}
	t.Run("unknown API paths stay JSON 404s", func(t *testing.T) {
		rec := Do(t, srv, Req{Method: "GET", Path: "/api/v1/inbox"})
		if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%d %s", rec.Code, rec.Header())
		}
	})
}
