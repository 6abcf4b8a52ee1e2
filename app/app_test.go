package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
)

const (
	adminEmail    = "admin@example.com"
	adminPassword = "correct horse battery"
)

// mustNewApp assembles a node on SQLite and embedded NATS in a temp dir;
// prepare runs before the node starts (e.g. to create channels).
func mustNewApp(t testing.TB, prepare func(a *app.App)) *app.App {
	t.Helper()
	return mustNewAppWith(t, nil, prepare)
}

// mustNewAppWith is mustNewApp with settings changed by configure.
func mustNewAppWith(t testing.TB, configure func(*app.Config), prepare func(a *app.App)) *app.App {
	t.Helper()
	cfg := app.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.AdminEmail, cfg.AdminPassword = adminEmail, adminPassword
	if configure != nil {
		configure(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(a)
	}
	if err := a.Start(ctx); err != nil {
		a.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return a
}

type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// agentClient is a signed-in agent talking to the node's HTTP API.
type agentClient struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func mustSignIn(t testing.TB, a *app.App) *agentClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &agentClient{t: t, base: "http://" + a.Addr(), hc: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	c.do("POST", "/api/v1/auth/login", map[string]string{"email": adminEmail, "password": adminPassword}, nil)
	return c
}

func (c *agentClient) do(method, path string, in, out any) {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		c.t.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// status sends a request and returns only the HTTP status.
func (c *agentClient) status(method, path string, in any) int {
	c.t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func eventually(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// conversationsOn lists the tickets of one channel.
func conversationsOn(c *agentClient, channelID int64) []*parley.Conversation {
	var page struct {
		Items []*parley.Conversation `json:"items"`
	}
	c.do("GET", "/api/v1/conversations?view=all&channel_id="+strconv.FormatInt(channelID, 10), nil, &page)
	return page.Items
}

func messagesOf(c *agentClient, convID int64) []*parley.Message {
	var page struct {
		Items []*parley.Message `json:"items"`
	}
	c.do("GET", fmt.Sprintf("/api/v1/conversations/%d/messages?limit=200", convID), nil, &page)
	return page.Items
}
