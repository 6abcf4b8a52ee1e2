package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// TestWidgetSettings: the admin opens a widget channel's settings, sees the
// embed snippet for that channel, changes the accent colour and the greeting,
// and the public widget config serves them; the identity secret stays
// write-only.
func TestWidgetSettings(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	var w parley.Channel
	n.Do(t, "POST", "/api/v1/channels", map[string]any{"platform": "widget", "name": "Website chat"}, &w)
	ctx := MustBrowser(t, 1280, 900)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)

	run(t, ctx, "open the widget settings",
		chromedp.Navigate(n.Base+"/admin/channels"),
		chromedp.WaitVisible(xpathText("button", "Widget settings")),
		chromedp.Click(xpathText("button", "Widget settings")),
		chromedp.WaitVisible(chromedp.CSS(`.widget-snippet`)),
	)
	snippet := get(t, ctx, "snippet", chromedp.Value(chromedp.CSS(`.widget-snippet`)))
	want := fmt.Sprintf(`<script src="%s/widget/v1/widget.js" data-channel="%d" async></script>`, n.Base, w.ID)
	if snippet != want {
		t.Errorf("snippet = %q, want %q", snippet, want)
	}
	assertNamedControls(t, ctx, "widget settings")
	run(t, ctx, "change colour and greeting, set a secret",
		eval(`document.querySelector('.widget-settings input[name=color]').select()`),
		chromedp.SendKeys(chromedp.CSS(`.widget-settings input[name=color]`), "#d9480f"),
		chromedp.SendKeys(chromedp.CSS(`.widget-settings input[name=greeting]`), "Hi! How can we help?"),
		chromedp.SendKeys(chromedp.CSS(`.widget-settings input[name=identity_secret]`), "s3cret-identity-0123456789abcdef"),
		chromedp.Click(chromedp.CSS(`.widget-settings .btn.primary`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.widget-settings`)),
	)

	resp, err := http.Get(fmt.Sprintf("%s/widget/v1/channels/%d/config", n.Base, w.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var cfg struct{ Color, Greeting string }
	if err := json.Unmarshal(raw, &cfg); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("widget config: %d %s", resp.StatusCode, raw)
	}
	if !strings.EqualFold(cfg.Color, "#d9480f") || cfg.Greeting != "Hi! How can we help?" {
		t.Errorf("widget config colour %q greeting %q, want the saved ones", cfg.Color, cfg.Greeting)
	}
	ch, err := n.App.Store.FindChannelByID(t.Context(), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Secrets["identity_secret"] != "s3cret-identity-0123456789abcdef" {
		t.Errorf("identity secret was not replaced")
	}
}
