package widget_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/widget"
)

// hostPage serves a customer's website on its own origin: a strict CSP that
// allows only Parley's script and connections, and hostile CSS that would
// wreck any widget not isolated in a shadow root.
func hostPage(tb testing.TB, parley string, channelID int64, attrs string) *httptest.Server {
	tb.Helper()
	csp := "default-src 'none'; style-src 'self'; " + widget.HostCSP(parley)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/host.css" {
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, `body { font: 20px Georgia, serif; background: #fffbe6; margin: 40px; }
* { color: #c00000 !important; letter-spacing: 3px; }
button, textarea, div { border: 5px dashed lime !important; border-radius: 0 !important; }
button { display: none !important; }`)
			return
		}
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop</title>
<link rel="stylesheet" href="/host.css"></head><body><h1>Acme shop</h1><p>Our finest anvils. Questions? Chat with us.</p>
<button id="host-button">Host button</button>
<script src="%s/widget/v1/widget.js" data-channel="%d" %s async></script></body></html>`, parley, channelID, attrs)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func chromium(tb testing.TB) string {
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

// MustBrowser starts a headless Chromium that records every CSP violation
// of every page in window.__csp.
func MustBrowser(tb testing.TB) context.Context {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(tb)), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.NoFirstRun, chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("hide-scrollbars", true), chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(tb.TempDir()), chromedp.WindowSize(1100, 760),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1100, 760)); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`}); err != nil {
		tb.Fatalf("watch CSP violations: %v", err)
	}
	return ctx
}

// browse runs steps with a deadline; on failure it shows the widget's text.
func browse(tb testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.Steps(steps...)); err != nil {
		hctx, hcancel := context.WithTimeout(ctx, 3*time.Second)
		defer hcancel()
		text, _ := chromedp.Run(hctx, chromedp.Evaluate[string](shadow+`?.textContent ?? "(no widget)"`))
		tb.Fatalf("%s: %v\nwidget text: %s", what, err, text)
	}
}

func value[T any](tb testing.TB, ctx context.Context, expr string) T {
	tb.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

const shadow = `document.querySelector("#parley-widget")?.shadowRoot`

func inWidget(sel string) chromedp.JSPath {
	return chromedp.JSPath(shadow + `.querySelector(` + fmt.Sprintf("%q", sel) + `)`)
}

// until waits for a JavaScript condition to hold.
func until(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(15*time.Second))
}

// bubbleCount counts the widget's bubbles with exactly this text.
func bubbleCount(text string) string {
	return fmt.Sprintf(`[...%s.querySelectorAll(".bubble")].filter(b => b.textContent === %q).length`, shadow, text)
}

func screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	time.Sleep(200 * time.Millisecond)
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	dir := screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestBrowser(t *testing.T) {
	ctx := MustBrowser(t)
	e := MustEnv(t, roomy, map[string]string{
		widget.ConfigGreeting: "Hi! How can we help?", widget.ConfigColor: "#0f766e", widget.ConfigTitle: "Acme support",
	})
	host := hostPage(t, e.Server.URL, e.Channel.ID, "")

	browse(t, ctx, "load the host page", chromedp.Navigate(host.URL), until(shadow+`?.querySelector(".launcher") != null`))

	t.Run("the widget is isolated from the host page's styles", func(t *testing.T) {
		styles := value[map[string]string](t, ctx, `(() => { const s = getComputedStyle(`+shadow+`.querySelector(".launcher"));
			return {display: s.display, border: s.borderTopStyle, bg: s.backgroundColor}; })()`)
		if styles["display"] == "none" || styles["border"] == "dashed" || styles["bg"] != "rgb(15, 118, 110)" {
			t.Fatalf("launcher styles %v: the host's CSS leaked in", styles)
		}
		if got := value[string](t, ctx, `getComputedStyle(document.querySelector("#host-button")).display`); got != "none" {
			t.Fatalf("the host's own styles stopped applying (%s)", got)
		}
	})
	screenshot(t, ctx, "widget-closed")

	browse(t, ctx, "open and write", chromedp.Click(inWidget(".launcher")), until(shadow+`.querySelector(".panel").hidden === false`),
		chromedp.SendKeys(inWidget("textarea"), "Hello, where is my order #1042?\r"))

	var conv *parley.Conversation
	eventually(t, "the visitor's message in the inbox", func() bool {
		list, _, err := e.Store.FindConversations(context.Background(), parley.ConversationFilter{View: parley.ViewAll, ChannelID: &e.Channel.ID})
		if err == nil && len(list) == 1 {
			conv = list[0]
		}
		return conv != nil
	})
	e.MustReply(t, conv.ID, "It left our warehouse this morning")
	browse(t, ctx, "agent reply shows", until(bubbleCount("It left our warehouse this morning")+` === 1`))
	screenshot(t, ctx, "widget-conversation")

	t.Run("the visitor's read receipt reaches the agent's reply", func(t *testing.T) {
		eventually(t, "reply read", func() bool {
			msgs, _, _ := e.Store.FindMessages(context.Background(), parley.MessageFilter{ConversationID: conv.ID})
			for _, m := range msgs {
				if m.Direction == parley.DirectionOut {
					return m.Status == parley.MessageRead
				}
			}
			return false
		})
	})

	t.Run("a cut connection reconnects and catches up without duplicates", func(t *testing.T) {
		e.Handler.DisconnectAll()
		e.MustReply(t, conv.ID, "Sent while you were offline")
		browse(t, ctx, "catch-up", until(bubbleCount("Sent while you were offline")+` === 1`))
		browse(t, ctx, "write after reconnect", chromedp.SendKeys(inWidget("textarea"), "Thanks!\r"),
			until(bubbleCount("Thanks!")+` === 1 && !`+shadow+`.textContent.includes("Sending")`))
		for _, text := range []string{"Hello, where is my order #1042?", "It left our warehouse this morning", "Sent while you were offline", "Thanks!"} {
			if n := value[int](t, ctx, bubbleCount(text)); n != 1 {
				t.Errorf("%q shown %d times", text, n)
			}
		}
	})

	t.Run("agent typing shows, and a minimised widget counts unread replies", func(t *testing.T) {
		if err := e.Bus.PublishPresence(context.Background(), &parley.PresenceInfo{AgentID: e.Agent.ID, AgentName: "Ana", ConversationID: conv.ID, Activity: parley.ActivityTyping, Node: "n1"}); err != nil {
			t.Fatal(err)
		}
		browse(t, ctx, "typing", until(shadow+`.querySelector(".typing").textContent.includes("Ana is typing")`))
		browse(t, ctx, "minimise", chromedp.Click(inWidget(".min")), until(shadow+`.querySelector(".panel").hidden`))
		e.MustReply(t, conv.ID, "One more thing: tracking is AC-7781")
		e.MustReply(t, conv.ID, "Have a nice day!")
		browse(t, ctx, "badge", until(shadow+`.querySelector(".badge").textContent === "2" && !`+shadow+`.querySelector(".badge").hidden`))
		screenshot(t, ctx, "widget-unread")
	})

	t.Run("the conversation continues after a page reload", func(t *testing.T) {
		browse(t, ctx, "reload", chromedp.Reload(), until(shadow+`?.querySelector(".launcher") != null`),
			chromedp.Click(inWidget(".launcher")), until(bubbleCount("Have a nice day!")+` === 1`))
		if n := value[int](t, ctx, bubbleCount("Hello, where is my order #1042?")); n != 1 {
			t.Errorf("first message shown %d times after reload", n)
		}
	})

	t.Run("no CSP violation, while the host's CSP is really enforced", func(t *testing.T) {
		if v := value[[]string](t, ctx, `window.__csp`); len(v) != 0 {
			t.Fatalf("CSP violations: %v", v)
		}
		browse(t, ctx, "provoke one", chromedp.Evaluate[chromedp.Void](`document.head.append(Object.assign(document.createElement("style"), {textContent: "p{}"}))`),
			until(`window.__csp.length > 0`))
	})
}

func TestBrowserOfflineChinese(t *testing.T) {
	ctx := MustBrowser(t)
	// Open one minute on a day three days away in Shanghai: closed now,
	// whatever the day the test runs (it used to skip on Mondays).
	shanghai := time.FixedZone("CST", 8*3600)
	openDay := strings.ToLower(time.Now().In(shanghai).AddDate(0, 0, 3).Weekday().String()[:3])
	e := MustEnv(t, roomy, map[string]string{
		widget.ConfigGreeting: "Hi!", widget.ConfigGreetingZH: "您好！有什么可以帮您？", widget.ConfigLocale: "zh-CN",
		widget.ConfigBusinessHours: openDay + " 00:00-00:01", widget.ConfigTimezone: "Asia/Shanghai", widget.ConfigPosition: "left",
	})
	host := hostPage(t, e.Server.URL, e.Channel.ID, "")
	browse(t, ctx, "open", chromedp.Navigate(host.URL), until(shadow+`?.querySelector(".launcher") != null`),
		chromedp.Click(inWidget(".launcher")), until(shadow+`.textContent.includes("我们暂时不在线")`))
	screenshot(t, ctx, "widget-offline-zh")
	browse(t, ctx, "leave an e-mail", chromedp.SendKeys(inWidget(`input[name=email]`), "li.lei@example.com\r"),
		until(shadow+`.querySelector("form.details").hidden`),
		chromedp.SendKeys(inWidget("textarea"), "请回复我的邮箱\r"), until(bubbleCount("请回复我的邮箱")+` === 1 && !`+shadow+`.textContent.includes("发送中")`))
	list, _, err := e.Store.FindConversations(context.Background(), parley.ConversationFilter{View: parley.ViewAll, ChannelID: &e.Channel.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("conversations %v %v", list, err)
	}
	c := e.contactOf(t, list[0])
	if c.Email != "li.lei@example.com" {
		t.Fatalf("contact e-mail %q, want the one left offline", c.Email)
	}
	if !strings.Contains(value[string](t, ctx, shadow+`.textContent`), "您好！有什么可以帮您？") {
		t.Error("the Chinese greeting is missing")
	}
}

// TestBrowserDemo opens /widget/demo, under its own strict CSP, as a new
// user trying their instance would.
func TestBrowserDemo(t *testing.T) {
	ctx := MustBrowser(t)
	e := MustEnv(t, roomy, map[string]string{widget.ConfigGreeting: "Hello from the demo!", widget.ConfigPrechat: "name,email"})
	browse(t, ctx, "demo", chromedp.Navigate(e.Server.URL+"/widget/demo?channel="+itoa(e.Channel.ID)),
		until(shadow+`?.querySelector(".launcher") != null`), chromedp.Click(inWidget(".launcher")),
		until(shadow+`.textContent.includes("Hello from the demo!")`),
		chromedp.SendKeys(inWidget(`input[name=name]`), "Demo User"), chromedp.SendKeys(inWidget(`input[name=email]`), "demo@example.com\r"),
		until(shadow+`.querySelector("form.details").hidden`),
		chromedp.SendKeys(inWidget("textarea"), "Trying the widget\r"),
		until(bubbleCount("Trying the widget")+` === 1 && !`+shadow+`.textContent.includes("Sending")`))
	screenshot(t, ctx, "widget-demo")
	if v := value[[]string](t, ctx, `window.__csp`); len(v) != 0 {
		t.Fatalf("CSP violations on the demo page: %v", v)
	}
	list, _, err := e.Store.FindConversations(context.Background(), parley.ConversationFilter{View: parley.ViewAll, ChannelID: &e.Channel.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("conversations %v %v", list, err)
	}
	if c := e.contactOf(t, list[0]); c.Name != "Demo User" || c.Email != "demo@example.com" {
		t.Errorf("contact %q <%s>, want the pre-chat form's details", c.Name, c.Email)
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
		return filepath.Join("..", "..", "docs", "screenshots")
	case "":
		return filepath.Join(os.TempDir(), "parley-screenshots")
	default:
		return v
	}
}
