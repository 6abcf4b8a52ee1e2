package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// TestDisconnectedChannelBanner: an admin looking at the inbox sees at once,
// without reloading, that a channel was disconnected and why, with a link to
// reconnect it; the banner goes away when the channel is active again.
func TestDisconnectedChannelBanner(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	ctx := MustBrowser(t, 1280, 800)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	run(t, ctx, "inbox", chromedp.Navigate(n.Base+"/inbox/all"), chromedp.WaitVisible(chromedp.CSS(`.sidebar`)))
	if banners := get(t, ctx, "banners", chromedp.Evaluate[int](`document.querySelectorAll('.channel-down').length`)); banners != 0 {
		t.Fatalf("%d disconnected-channel banners before anything broke", banners)
	}

	path := fmt.Sprintf("/api/v1/channels/%d", n.Channel.ID)
	n.Do(t, "PATCH", path, map[string]any{"status": parley.ChannelDisconnected, "status_reason": "token expired"}, &parley.Channel{})
	sel := fmt.Sprintf(`.channel-down[data-channel="%d"]`, n.Channel.ID)
	run(t, ctx, "banner appears live", chromedp.WaitVisible(chromedp.CSS(sel)))
	text := get(t, ctx, "banner", chromedp.Text(chromedp.CSS(sel)))
	if !strings.Contains(text, "Channel "+n.Channel.Name+" is disconnected: token expired") || !strings.Contains(text, "Reconnect") {
		t.Errorf("banner = %q", text)
	}
	screenshot(t, ctx, "channel-down-banner")
	assertNamedControls(t, ctx, "disconnected banner")

	n.Do(t, "PATCH", path, map[string]any{"status": parley.ChannelActive}, &parley.Channel{})
	run(t, ctx, "banner goes away", until(fmt.Sprintf(`!document.querySelector('%s')`, sel)))

	n.Do(t, "PATCH", path, map[string]any{"status": parley.ChannelDisconnected, "status_reason": "token expired"}, &parley.Channel{})
	run(t, ctx, "reconnect link", chromedp.WaitVisible(chromedp.CSS(sel+" a")), chromedp.Click(chromedp.CSS(sel+" a")),
		until(`location.pathname === '/admin/channels'`))

	n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
	run(t, ctx, "chinese", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(sel)))
	if zh := get(t, ctx, "banner zh", chromedp.Text(chromedp.CSS(sel))); !strings.Contains(zh, "渠道 "+n.Channel.Name+" 已断开：token expired") {
		t.Errorf("banner in Chinese = %q", zh)
	}
}
