package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConnectMetaChannels checks the channel settings of a node with a Meta
// app: the one-click connect buttons, the warning about a Graph API version
// near its end of life (in English and Chinese), and the return from
// Facebook Login with its outcome.
func TestConnectMetaChannels(t *testing.T) {
	n := MustStartNode(t, true, "--meta-app-id", "1234567890", "--meta-app-secret", "app-secret",
		"--meta-whatsapp-config-id", "987654", "--meta-graph-version", "v21.0")
	n.MustSeed(t)
	ctx := MustBrowser(t, 1280, 800)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)

	t.Run("buttons_and_version_warning", func(t *testing.T) {
		run(t, ctx, "channels",
			chromedp.Navigate(n.Base+"/admin/channels"),
			chromedp.WaitVisible(chromedp.CSS(`.meta-connect .meta-buttons`)),
			chromedp.WaitVisible(chromedp.CSS(`.version-warnings li`)),
		)
		buttons := get(t, ctx, "buttons", chromedp.Text(chromedp.CSS(`.meta-buttons`)))
		href := get(t, ctx, "facebook href", chromedp.Evaluate[string](`document.querySelector('.meta-buttons a').getAttribute('href')`))
		warning := get(t, ctx, "warning", chromedp.Text(chromedp.CSS(`.version-warnings li`)))
		for _, want := range []string{"Connect Facebook Page", "Connect Instagram", "Connect WhatsApp"} {
			if !strings.Contains(buttons, want) {
				t.Errorf("buttons %q lack %q", buttons, want)
			}
		}
		if href != "/api/v1/connect/facebook" {
			t.Errorf("Facebook button goes to %q", href)
		}
		// The node has Instagram Login: its button starts that flow, not Facebook Login.
		run(t, ctx, "instagram login probed", until(`document.querySelectorAll('.meta-buttons a')[1].getAttribute('href') === '/api/v1/connect/instagram'`))
		if !strings.Contains(warning, "Graph API v21.0 stops working on") {
			t.Errorf("warning = %q", warning)
		}
		screenshot(t, ctx, "settings-connect-meta")
		assertNamedControls(t, ctx, "channels with Meta")
	})

	t.Run("return_from_facebook_login", func(t *testing.T) {
		run(t, ctx, "callback lands on the settings",
			chromedp.Navigate(n.Base+"/settings/channels?connected=2"),
			until(`location.pathname === '/admin/channels' && location.search === ''`),
			chromedp.WaitVisible(xpathText("div[contains(@class,'toast')]", "2 channels connected")),
		)
		run(t, ctx, "an error is reported",
			chromedp.Navigate(n.Base+"/settings/channels?connect_error=Facebook+Login+was+cancelled"),
			chromedp.WaitVisible(xpathText("div[contains(@class,'toast')]", "Connecting failed: Facebook Login was cancelled")),
		)
	})

	t.Run("warning_in_chinese", func(t *testing.T) {
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
		defer n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en"}, nil)
		run(t, ctx, "reload", chromedp.Navigate(n.Base+"/admin/channels"), chromedp.WaitVisible(chromedp.CSS(`.version-warnings li`)))
		warning := get(t, ctx, "warning", chromedp.Text(chromedp.CSS(`.version-warnings li`)))
		buttons := get(t, ctx, "buttons", chromedp.Text(chromedp.CSS(`.meta-buttons`)))
		if !strings.Contains(warning, "Graph API v21.0 将于") || !strings.Contains(buttons, "连接 WhatsApp") {
			t.Errorf("warning %q, buttons %q", warning, buttons)
		}
	})
}
