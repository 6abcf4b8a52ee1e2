package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
)

const (
	adminEmail    = "ana@example.com"
	adminPassword = "correct-horse-battery"
	channelSecret = "e2e-shared-secret"
)

// Node is a running Parley instance and an API client signed in as its admin.
type Node struct {
	Base    string
	App     *app.App
	Logs    *syncBuffer
	client  *http.Client
	outbox  *httptest.Server // receives the API channel's outbound webhooks
	mu      sync.Mutex
	Posted  [][]byte // bodies the API channel posted to outbox
	Refuse  string   // outbox answers 422 to replies containing this text
	Channel *parley.Channel
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

// MustStartNode boots Parley in this process on a free port. With withAdmin
// the first admin exists; without, the node offers the one-time setup link.
// Extra flags follow the defaults (and so win over them).
func MustStartNode(tb testing.TB, withAdmin bool, extra ...string) *Node {
	tb.Helper()
	dir := tb.TempDir()
	// Every engine setting is explicit, so PARLEY_* variables in the environment cannot point the test elsewhere.
	args := []string{"--addr", "127.0.0.1:0", "--data-dir", dir, "--database", "", "--nats", "", "--config", "",
		"--log-level", "info", "--public-url", "http://127.0.0.1"}
	if withAdmin {
		args = append(args, "--admin-email", adminEmail, "--admin-password", adminPassword)
	}
	args = append(args, extra...)
	cfg, err := app.Load(flag.NewFlagSet("e2e", flag.ContinueOnError), args)
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx := context.Background()
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		tb.Fatalf("app.New: %v", err)
	}
	if err := a.Start(ctx); err != nil {
		a.Close()
		tb.Fatalf("start: %v\n%s", err, logs)
	}
	tb.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(sctx); err != nil {
			tb.Logf("shutdown: %v", err)
		}
	})
	jar, _ := cookiejar.New(nil)
	n := &Node{Base: "http://" + a.Addr(), App: a, Logs: logs, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	n.outbox = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		n.mu.Lock()
		n.Posted = append(n.Posted, b)
		refuse := n.Refuse != "" && bytes.Contains(b, []byte(n.Refuse))
		n.mu.Unlock()
		if refuse { // the integrating system refuses this reply for good
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"message":"recipient blocked the business"}`))
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	tb.Cleanup(n.outbox.Close)
	return n
}

// Do calls the API as the signed-in admin and decodes the JSON answer into out.
func (n *Node) Do(tb testing.TB, method, path string, body, out any) int {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, n.Base+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", n.Base) // same-origin, as the browser would send
	resp, err := n.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	if resp.StatusCode >= 400 && out != nil {
		tb.Fatalf("%s %s = %d: %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// MustSeed signs the API client in and connects an API channel whose replies
// go to the node's outbox server.
func (n *Node) MustSeed(tb testing.TB) {
	tb.Helper()
	var me parley.Agent
	n.Do(tb, "POST", "/api/v1/auth/login", map[string]string{"email": adminEmail, "password": adminPassword}, &me)
	n.Do(tb, "PATCH", "/api/v1/me", map[string]any{"name": "Ana Souza", "presence": "online"}, &me)
	var ch parley.Channel
	n.Do(tb, "POST", "/api/v1/channels", map[string]any{
		"platform": "api", "name": "Order system",
		"config":  map[string]string{"webhook_url": n.outbox.URL},
		"secrets": map[string]string{"secret": channelSecret},
	}, &ch)
	n.Channel = &ch
	var bo parley.Agent
	n.Do(tb, "POST", "/api/v1/agents", map[string]any{"email": "bo@example.com", "name": "Bo Chen", "role": "agent", "password": "bo-password-1"}, &bo)
	var team parley.Team
	n.Do(tb, "POST", "/api/v1/teams", map[string]any{"name": "Billing", "agent_ids": []int64{me.ID, bo.ID}}, &team)
	n.Do(tb, "POST", "/api/v1/tags", map[string]any{"name": "refund", "color": "#c2255c"}, &parley.Tag{})
}

// SetRefuse makes the outbox refuse replies that contain text ("" accepts all).
func (n *Node) SetRefuse(text string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Refuse = text
}

// InboundMessage is one customer message posted to the API channel's webhook.
type InboundMessage struct {
	ID        string         `json:"id"`
	Contact   map[string]any `json:"contact"`
	Text      string         `json:"text"`
	Timestamp string         `json:"timestamp"`
	Thread    string         `json:"thread,omitempty"`
	// Attachments are files by URL: type, url, filename, content_type.
	Attachments []map[string]string `json:"attachments,omitempty"`
}

// MustPostInbound delivers messages and receipts through the signed webhook, like an integrating system.
func (n *Node) MustPostInbound(tb testing.TB, messages []InboundMessage, receipts []map[string]string) {
	tb.Helper()
	payload := map[string]any{"messages": messages}
	if receipts != nil {
		payload["receipts"] = receipts
	}
	if code, raw := n.postInbound(tb, payload); code != http.StatusOK {
		tb.Fatalf("webhook = %d: %s", code, raw)
	}
}

// postInbound posts a signed webhook to n.Channel and returns its status
// and body, whatever they are.
func (n *Node) postInbound(tb testing.TB, payload any) (int, []byte) {
	tb.Helper()
	body, _ := json.Marshal(payload)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(channelSecret))
	mac.Write([]byte(ts + "." + string(body)))
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/hooks/api/%d", n.Base, n.Channel.ID), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Parley-Timestamp", ts)
	req.Header.Set("X-Parley-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// MustWaitConversations polls the API until at least want tickets exist.
func (n *Node) MustWaitConversations(tb testing.TB, want int) []*parley.Conversation {
	tb.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		var page struct{ Items []*parley.Conversation }
		n.Do(tb, "GET", "/api/v1/conversations?view=all&limit=200", nil, &page)
		if len(page.Items) >= want {
			return page.Items
		}
		if time.Now().After(deadline) {
			tb.Fatalf("only %d of %d conversations after 45s\n%s", len(page.Items), want, n.Logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// chromiumPath finds the browser; without one the tests skip, except in CI.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("no Chromium found (apt-get install chromium)")
	}
	tb.Skip("no Chromium found (apt-get install chromium)")
	return ""
}

// MustBrowser starts a fresh headless Chromium with the given viewport.
func MustBrowser(tb testing.TB, width, height int) context.Context {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run executes browser steps with a deadline and fails the test with the page's HTML on error.
func run(tb testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	get(tb, ctx, what, chromedp.Steps(steps...))
}

// get runs one action with a deadline and returns its value.
func get[T any](tb testing.TB, ctx context.Context, what string, action chromedp.Action[T]) T {
	tb.Helper()
	tctx, cancel := context.WithTimeout(ctx, 45*time.Second) // generous: CI runs every package at once
	defer cancel()
	v, err := chromedp.Run(tctx, action)
	if err != nil {
		hctx, hcancel := context.WithTimeout(ctx, 3*time.Second)
		defer hcancel()
		text, _ := chromedp.Run(hctx, chromedp.Evaluate[string](`document.body.innerText`))
		if len(text) > 2000 {
			text = text[:2000] + "…"
		}
		tb.Fatalf("%s: %v\npage text:\n%s", what, err, text)
	}
	return v
}

// eval runs JavaScript for its effect.
func eval(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, t)
		return err
	})
}

// until waits for a JavaScript condition to hold.
func until(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(30*time.Second))
}

// screenshot writes the viewport as <name>.png into screenshotDir(): a temporary
// directory unless PARLEY_SCREENSHOTS asks for docs/screenshots or another one.
func screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	time.Sleep(200 * time.Millisecond) // let transitions and late images settle
	png := get(tb, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	dir := screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// signIn fills the sign-in form and waits for the inbox.
func signIn(tb testing.TB, ctx context.Context, base, email, password string) {
	tb.Helper()
	run(tb, ctx, "sign in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.sidebar`)),
	)
}

func contact(id, name, email string) map[string]any {
	return map[string]any{"id": id, "name": name, "email": email}
}

func ago(d time.Duration) string { return time.Now().Add(-d).UTC().Format(time.RFC3339Nano) }

func xpathText(sel, text string) string {
	return fmt.Sprintf(`//%s[contains(normalize-space(.), %q)]`, sel, strings.TrimSpace(text))
}

// unnamedControls lists the visible controls that a screen reader could not name.
const unnamedControls = `(() => {
  const bad = [];
  for (const el of document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea')) {
    if (el.getClientRects().length === 0) continue;
    const by = el.getAttribute('aria-labelledby');
    const name = [el.getAttribute('aria-label'), el.getAttribute('title'), el.textContent,
      el.labels ? [...el.labels].map((l) => l.textContent).join('') : '',
      by ? (document.getElementById(by) || {}).textContent : ''].map((s) => (s || '').trim()).find(Boolean);
    if (!name) bad.push(el.outerHTML.slice(0, 140));
  }
  return bad;
})()`

// assertNamedControls fails when a visible control on the screen has no accessible name.
func assertNamedControls(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	if bad := get(t, ctx, "controls of "+screen, chromedp.Evaluate[[]string](unnamedControls)); len(bad) > 0 {
		t.Errorf("%s: %d controls without an accessible name:\n%s", screen, len(bad), strings.Join(bad, "\n"))
	}
}

// screenshotDir is where screenshots go: docs/screenshots when
// PARLEY_SCREENSHOTS=docs (make screenshots, to refresh the committed
// ones), another directory when PARLEY_SCREENSHOTS names one, and a
// directory under the system's temporary one otherwise, so that an ordinary
// test run leaves the checkout clean.
func screenshotDir() string {
	switch v := os.Getenv("PARLEY_SCREENSHOTS"); v {
	case "docs":
		return filepath.Join("..", "docs", "screenshots")
	case "":
		return filepath.Join(os.TempDir(), "parley-screenshots")
	default:
		return v
	}
}
