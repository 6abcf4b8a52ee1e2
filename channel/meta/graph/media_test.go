package graph_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

func TestMediaFetcher(t *testing.T) {
	payload := bytes.Repeat([]byte("x"), 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file":
			if r.Header.Get("Authorization") != "Bearer tok" {
				http.Error(w, "no token", http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(payload)
		case "/chunked":
			w.(http.Flusher).Flush() // no Content-Length: the reader must stop itself
			w.Write(payload)
		case "/redirect":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	f := &graph.MediaFetcher{Hosts: graph.DefaultMediaHosts, TrustedHost: host, MaxBytes: 4096}

	t.Run("fetches from the trusted host with the token", func(t *testing.T) {
		rc, ct, err := f.Fetch(t.Context(), srv.URL+"/file", "tok")
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		if ct != "image/jpeg" || !bytes.Equal(b, payload) {
			t.Fatalf("%s %d bytes", ct, len(b))
		}
	})
	t.Run("stops reading past the size limit", func(t *testing.T) {
		small := *f
		small.MaxBytes = 100
		_, _, err := small.Fetch(t.Context(), srv.URL+"/file", "tok")
		if parley.ErrorCode(err) != parley.ETOOLARGE {
			t.Fatalf("declared length: err = %v", err)
		}
		rc, _, err := small.Fetch(t.Context(), srv.URL+"/chunked", "")
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if _, err := io.ReadAll(rc); parley.ErrorCode(err) != parley.ETOOLARGE {
			t.Fatalf("streamed: err = %v", err)
		}
	})
	for name, raw := range map[string]string{
		"a foreign host":                 "https://evil.example/x.jpg",
		"a lookalike suffix":             "https://notfbcdn.net/x.jpg",
		"plain http to a Meta host":      "http://scontent.xx.fbcdn.net/x.jpg",
		"a file URL":                     "file:///etc/passwd",
		"credentials in the URL":         "https://user:pw@scontent.xx.fbcdn.net/x",
		"the cloud metadata address":     "https://169.254.169.254/latest",
		"a loopback port not configured": "http://127.0.0.1:1/x",
	} {
		t.Run("refuses "+name, func(t *testing.T) {
			_, _, err := f.Fetch(t.Context(), raw, "")
			if code := parley.ErrorCode(err); code != parley.EFORBIDDEN && code != parley.EINVALID {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("refuses a redirect off the allow-list", func(t *testing.T) {
		_, _, err := f.Fetch(t.Context(), srv.URL+"/redirect", "")
		if err == nil {
			t.Fatal("followed the redirect")
		}
	})
	t.Run("refuses an allowed name that resolves to a private address", func(t *testing.T) {
		u, _ := url.Parse(srv.URL)
		g := &graph.MediaFetcher{Hosts: []string{"localhost"}, MaxBytes: 10}
		_, _, err := g.Fetch(t.Context(), "https://localhost:"+u.Port()+"/file", "")
		if parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})
}
