package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCannedReplies manages the team's canned replies on the admin page
// (with a shorter text for one channel) and uses one in the composer, where
// the channel's own text is picked and {name} filled in; then edits and
// deletes it; the page in Chinese.
func TestCannedReplies(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	n.MustPostInbound(t, []InboundMessage{{ID: "cr-1", Contact: contact("cust-cr", "Lena Fischer", "lena@example.de"), Text: "When will my parcel arrive?", Timestamp: ago(time.Minute)}}, nil)
	conv := n.MustWaitConversations(t, 1)[0]
	ctx := MustBrowser(t, 1280, 800)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	const long, short = "Hi {name}, parcels arrive within 3 to 5 business days; you get a tracking link by e-mail.", "Hi {name}, 3-5 days. Tracking link is in your mail."

	t.Run("create_with_a_channel_variant", func(t *testing.T) {
		run(t, ctx, "new canned reply",
			chromedp.Navigate(n.Base+"/admin/canned"),
			chromedp.WaitVisible(xpathText("button", "New canned reply")),
			chromedp.Click(xpathText("button", "New canned reply")),
			chromedp.WaitVisible(chromedp.CSS(`.modal input[name=shortcut]`)),
			chromedp.SendKeys(chromedp.CSS(`.modal input[name=shortcut]`), "ship"),
			chromedp.SendKeys(chromedp.CSS(`.modal input[name=title]`), "Shipping time"),
			chromedp.SendKeys(chromedp.CSS(`.modal textarea[name=body]`), long),
			chromedp.SetValue(chromedp.CSS(`.variant-add select`), "api"),
			eval(`document.querySelector('.variant-add select').dispatchEvent(new Event('change', {bubbles: true}))`),
			chromedp.Click(chromedp.CSS(`.variant-add button`)),
			chromedp.WaitVisible(chromedp.CSS(`.modal textarea[name=variant-api]`)),
			chromedp.SendKeys(chromedp.CSS(`.modal textarea[name=variant-api]`), short),
		)
		screenshot(t, ctx, "settings-canned-edit")
		run(t, ctx, "save", chromedp.Click(chromedp.CSS(`.modal-actions .btn.primary`)), chromedp.WaitVisible(chromedp.CSS(`tr[data-canned=ship]`)))
		var list struct {
			Items []struct {
				Shortcut string            `json:"shortcut"`
				Body     string            `json:"body"`
				Variants map[string]string `json:"variants"`
			}
		}
		n.Do(t, "GET", "/api/v1/canned-replies", nil, &list)
		if len(list.Items) != 1 || list.Items[0].Shortcut != "ship" || list.Items[0].Body != long || list.Items[0].Variants["api"] != short {
			t.Fatalf("canned replies on the server: %+v", list.Items)
		}
		screenshot(t, ctx, "settings-canned")
		assertNamedControls(t, ctx, "canned replies")
	})

	t.Run("composer_uses_the_channels_text", func(t *testing.T) {
		run(t, ctx, "type /ship",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, conv.ID)),
			chromedp.WaitVisible(chromedp.CSS(`#composer-text`)),
			chromedp.SendKeys(chromedp.CSS(`#composer-text`), "/shi"),
			chromedp.WaitVisible(chromedp.CSS(`.canned li`)),
			chromedp.KeyEvent("\r"),
		)
		value := get(t, ctx, "composer", chromedp.Value(chromedp.CSS(`#composer-text`)))
		if strings.TrimSpace(value) != "Hi Lena, 3-5 days. Tracking link is in your mail." { // the key's own newline may follow
			t.Fatalf("composer after /ship = %q", value)
		}
	})

	t.Run("edit_then_delete", func(t *testing.T) {
		run(t, ctx, "edit the title",
			chromedp.Navigate(n.Base+"/admin/canned"),
			chromedp.Click(`//tr[@data-canned='ship']//button[contains(., 'Edit')]`),
			chromedp.WaitVisible(chromedp.CSS(`.modal input[name=title]`)),
			eval(`(() => { const el = document.querySelector('.modal input[name=title]'); el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true})); })()`),
			chromedp.SendKeys(chromedp.CSS(`.modal input[name=title]`), "Delivery times"),
			chromedp.Click(chromedp.CSS(`.modal-actions .btn.primary`)),
			chromedp.WaitVisible(xpathText("td", "Delivery times")),
			eval(`window.confirm = () => true`),
			chromedp.Click(`//tr[@data-canned='ship']//button[contains(., 'Delete')]`),
			chromedp.WaitNotPresent(chromedp.CSS(`tr[data-canned=ship]`)),
		)
		var list struct{ Items []map[string]any }
		n.Do(t, "GET", "/api/v1/canned-replies", nil, &list)
		if len(list.Items) != 0 {
			t.Fatalf("after deleting: %v", list.Items)
		}
	})

	t.Run("in_chinese", func(t *testing.T) {
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
		defer n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en"}, nil)
		run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(xpathText("button", "新建快捷回复")))
		tab := get(t, ctx, "tab", chromedp.Text(chromedp.CSS(`.tabs .tab.on`)))
		if !strings.Contains(tab, "快捷回复") {
			t.Errorf("tab = %q", tab)
		}
	})
}
