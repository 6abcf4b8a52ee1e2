// Package e2e proves the Meta channels end to end: the real Parley app
// (SQLite and embedded NATS in a temporary directory, booted in-process)
// against the fake Graph server, which signs webhooks like Meta and checks
// sends like Meta.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
)

const (
	adminEmail    = "ana@example.com"
	adminPassword = "correct-horse-battery"
	appSecret     = "e2e-app-secret"
)

// node is a running Parley with an admin signed in and a fake Meta
// platform whose accounts post their webhooks to it.
type node struct {
	base   string
	logs   *syncBuffer
	client *http.Client
	fake   *fake.Server
	demo   fake.Demo
	// skew shifts the fake's clock, to make a customer's message old.
	skew     atomic.Int64
	channels map[parley.Platform]*parley.Channel
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mustStartNode boots Parley and the fake, and connects a Messenger, a
// Page-comments, an Instagram and a WhatsApp channel to the fake's demo
// accounts through the API, as an admin would. opts adjust the fake.
func mustStartNode(tb testing.TB, opts ...func(*fake.Config)) *node {
	tb.Helper()
	n := &node{logs: &syncBuffer{}, channels: map[parley.Platform]*parley.Channel{}}
	// The public URL must be the node's own: the fake downloads reply media
	// from the signed links Parley builds with it.
	addr := freeAddr(tb)
	cfg, err := app.Load(flag.NewFlagSet("e2e", flag.ContinueOnError), []string{"--addr", addr, "--public-url", "http://" + addr,
		"--data-dir", tb.TempDir(), "--admin-email", adminEmail, "--admin-password", adminPassword})
	if err != nil {
		tb.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(n.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := app.New(context.Background(), cfg, logger)
	if err != nil {
		tb.Fatalf("app.New: %v", err)
	}
	if err := a.Start(context.Background()); err != nil {
		a.Close()
		tb.Fatalf("start: %v\n%s", err, n.logs)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Shutdown(ctx)
	})
	n.base = "http://" + a.Addr()
	jar, _ := cookiejar.New(nil)
	n.client = &http.Client{Jar: jar, Timeout: 10 * time.Second}
	n.do(tb, "POST", "/api/v1/auth/login", map[string]string{"email": adminEmail, "password": adminPassword}, &parley.Agent{})

	fc := fake.Config{AppSecret: appSecret, AutoReceipts: true, FetchMediaLinks: true,
		Now: func() time.Time { return time.Now().UTC().Add(time.Duration(n.skew.Load())) }}
	for _, o := range opts {
		o(&fc)
	}
	n.fake = faketest.MustStart(tb, fc)
	n.demo = n.fake.SetupDemo()
	for _, p := range []parley.Platform{parley.PlatformMessenger, parley.PlatformFacebookComments, parley.PlatformInstagram, parley.PlatformWhatsApp} {
		config, secrets := n.fake.Channel(n.demo, p)
		var ch parley.Channel
		n.do(tb, "POST", "/api/v1/channels", map[string]any{"platform": p, "name": string(p), "config": config, "secrets": secrets}, &ch)
		n.channels[p] = &ch
	}
	n.fake.SetWebhookURL(n.demo.PageID, n.hook(parley.PlatformMessenger), n.hook(parley.PlatformFacebookComments))
	n.fake.SetWebhookURL(n.demo.InstagramID, n.hook(parley.PlatformInstagram))
	n.fake.SetWebhookURL(n.demo.PhoneNumberID, n.hook(parley.PlatformWhatsApp))
	return n
}

// freeAddr finds a free local port for the node to listen on.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (n *node) hook(p parley.Platform) string {
	return fmt.Sprintf("%s/hooks/%s/%d", n.base, p, n.channels[p].ID)
}

// call sends a JSON request as the admin and returns the status and body.
func (n *node) call(tb testing.TB, method, path string, body any) (int, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, n.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", n.base)
	resp, err := n.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// do is call that must succeed, decoding the answer into out.
func (n *node) do(tb testing.TB, method, path string, body, out any) {
	tb.Helper()
	status, raw := n.call(tb, method, path, body)
	if status >= 300 {
		tb.Fatalf("%s %s = %d: %s", method, path, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: decoding %s: %v", method, path, raw, err)
		}
	}
}

// waitFor polls ok until it holds; the deadline only bounds a hung test.
func (n *node) waitFor(tb testing.TB, what string, ok func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s\nlogs:\n%s", what, tail(quiet(n.logs.String()), 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// mustTicket waits for the ticket of the channel of platform p whose
// contact has an identity with value user.
func (n *node) mustTicket(tb testing.TB, p parley.Platform, user string) *parley.Conversation {
	tb.Helper()
	var found *parley.Conversation
	n.waitFor(tb, "a "+string(p)+" ticket from "+user, func() bool {
		var page struct{ Items []*parley.Conversation }
		n.do(tb, "GET", fmt.Sprintf("/api/v1/conversations?channel_id=%d&limit=200", n.channels[p].ID), nil, &page)
		for _, c := range page.Items {
			var contact parley.Contact
			n.do(tb, "GET", fmt.Sprintf("/api/v1/contacts/%d", c.ContactID), nil, &contact)
			for _, id := range contact.Identities {
				if id.Value == user {
					found = c
					return true
				}
			}
		}
		return false
	})
	return found
}

func (n *node) messages(tb testing.TB, convID int64) []*parley.Message {
	tb.Helper()
	var page struct{ Items []*parley.Message }
	n.do(tb, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages?limit=200", convID), nil, &page)
	return page.Items
}

func (n *node) message(tb testing.TB, convID, id int64) *parley.Message {
	tb.Helper()
	for _, m := range n.messages(tb, convID) {
		if m.ID == id {
			return m
		}
	}
	tb.Fatalf("message %d not in conversation %d", id, convID)
	return nil
}

// reply posts an agent's reply and returns it (status queued).
func (n *node) reply(tb testing.TB, convID int64, body map[string]any) *parley.Message {
	tb.Helper()
	var m parley.Message
	n.do(tb, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), body, &m)
	return &m
}

// waitStatus waits until the message reaches status want.
func (n *node) waitStatus(tb testing.TB, convID, id int64, want parley.MessageStatus) *parley.Message {
	tb.Helper()
	var m *parley.Message
	n.waitFor(tb, fmt.Sprintf("message %d to be %s", id, want), func() bool {
		m = n.message(tb, convID, id)
		return m.Status == want
	})
	return m
}

// sends lists the fake's recorded send calls on path (e.g. "/123/messages")
// that contain needle in their body or form.
func (n *node) sends(path, needle string) []fake.Request {
	var out []fake.Request
	for _, r := range n.fake.Requests() {
		if r.Method == "POST" && r.Path == path && (strings.Contains(string(r.Body), needle) || formContains(r.Form, needle)) {
			out = append(out, r)
		}
	}
	return out
}

// quiet drops request lines from the logs, keeping what explains a failure.
func quiet(logs string) string {
	var keep []string
	for _, l := range strings.Split(logs, "\n") {
		if !strings.Contains(l, `msg="http request"`) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func formContains(form map[string][]string, needle string) bool {
	for _, vs := range form {
		for _, v := range vs {
			if strings.Contains(v, needle) {
				return true
			}
		}
	}
	return false
}
