package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
)

func TestStatusOfFollowsTheArchitectureTable(t *testing.T) {
	for code, want := range map[string]int{
		parley.EINVALID: 400, parley.EUNAUTHORIZED: 401, parley.EFORBIDDEN: 403, parley.ENOTFOUND: 404,
		parley.ECONFLICT: 409, parley.ETOOLARGE: 413, parley.ERATELIMITED: 429, parley.EUNSUPPORTED: 422,
		parley.EUNAVAILABLE: 503, parley.EINTERNAL: 500, "something_new": 500, "": 500,
	} {
		if got := httpapi.StatusOf(code); got != want {
			t.Errorf("StatusOf(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestUnknownAPIPaths(t *testing.T) {
	srv := httpapi.New(httpapi.Config{})
	t.Run("unknown path is a JSON 404", func(t *testing.T) {
		rec := Do(t, srv, Req{Method: "GET", Path: "/api/v1/nope"})
		if rec.Code != http.StatusNotFound || ErrorCodeOf(t, rec) != parley.ENOTFOUND {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("known path with another method is a JSON 405 with Allow", func(t *testing.T) {
		rec := Do(t, srv, Req{Method: "PUT", Path: "/api/v1/me"})
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Values("Allow") == nil {
			t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
		}
	})
	t.Run("every response carries a request id", func(t *testing.T) {
		rec := Do(t, srv, Req{Method: "GET", Path: "/api/v1/nope"})
		if rec.Header().Get("X-Request-Id") == "" {
			t.Fatal("no X-Request-Id")
		}
		rec = Do(t, srv, Req{Method: "GET", Path: "/healthz", Header: http.Header{"X-Request-Id": {"proxy-123"}}})
		if rec.Header().Get("X-Request-Id") != "proxy-123" {
			t.Fatalf("proxy id not kept: %q", rec.Header().Get("X-Request-Id"))
		}
	})
}
