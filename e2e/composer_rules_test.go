package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
)

// setComposer puts text into the reply box as if typed (long texts would take minutes with key events).
func setComposer(text string) chromedp.Action[chromedp.Void] {
	return eval(fmt.Sprintf(`(() => { const el = document.querySelector('#composer-text'); el.focus(); el.value = %q; el.dispatchEvent(new Event('input', {bubbles: true})); })()`, text))
}

// TestComposerChannelRules checks what the reply box tells the agent before
// sending: the count against the channel's limit, the split or too-long
// warning (send refused when the channel cannot split), the reply window
// left or closed, and that Ctrl+Enter sends.
func TestComposerChannelRules(t *testing.T) {
	const phoneID, wabaID, token = "1098765433", "2002", "wa-token-2"
	graph := fake.New(fake.Config{})
	if err := graph.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = graph.Close() })
	graph.AddWhatsApp(phoneID, wabaID, token)

	n := MustStartNode(t, true)
	n.MustSeed(t)
	var wa parley.Channel
	n.Do(t, "POST", "/api/v1/channels", map[string]any{"platform": "whatsapp", "name": "WhatsApp Support",
		"config":  map[string]string{"phone_number_id": phoneID, "waba_id": wabaID, "graph_base_url": graph.URL},
		"secrets": map[string]string{"access_token": token, "app_secret": "wa-app-secret", "verify_token": "wa-verify"}}, &wa)
	ingest := func(id, phone, name string, at time.Time) {
		if _, err := n.App.Store.Ingest(t.Context(), []*parley.InboundEvent{{Kind: parley.InboundMessage, ChannelID: wa.ID, Platform: parley.PlatformWhatsApp,
			ExternalID: id, Direction: parley.DirectionIn, Timestamp: at, Text: "Message from " + name,
			Sender: parley.Sender{Kind: parley.IdentityWhatsApp, ID: phone, Name: name, Verified: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	ingest("wamid.open-1", "5511999990001", "Olga Petrova", time.Now().Add(-time.Hour))
	ingest("wamid.closed-1", "5511999990002", "Carlos Ruiz", time.Now().Add(-48*time.Hour))
	n.MustPostInbound(t, []InboundMessage{{ID: "api-1", Contact: contact("c-api", "Ines Berg", "ines@example.com"), Text: "Please call me back", Timestamp: ago(time.Minute)}}, nil)
	convs := n.MustWaitConversations(t, 3)
	open, closed, api := findByContact(t, convs, "Olga Petrova"), findByContact(t, convs, "Carlos Ruiz"), findByContact(t, convs, "Ines Berg")

	ctx := MustBrowser(t, 1280, 800)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	sendDisabled := func(t *testing.T) bool {
		return get(t, ctx, "send disabled", chromedp.Evaluate[bool](`document.querySelector('.composer-foot .btn.primary').disabled`))
	}

	t.Run("count_and_split_warning", func(t *testing.T) {
		run(t, ctx, "open the WhatsApp ticket",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, open.ID)),
			chromedp.WaitVisible(chromedp.CSS(`#composer-text`)),
			chromedp.SendKeys(chromedp.CSS(`#composer-text`), "Hello"),
			until(`document.querySelector('.char-count').textContent === '5 / 4096'`),
		)
		run(t, ctx, "longer than one message",
			setComposer(strings.Repeat("a", 5000)),
			until(`document.querySelector('.char-count').textContent === '5000 / 4096'`),
			chromedp.WaitVisible(chromedp.CSS(`.char-count.over`)),
			chromedp.WaitVisible(xpathText("span[contains(@class,'split-warn')]", "Will be sent as 2 messages")),
		)
		if get(t, ctx, "refused warning", chromedp.Evaluate[bool](`!!document.querySelector('.split-warn.bad')`)) || sendDisabled(t) {
			t.Fatal("a text WhatsApp can split is refused")
		}
		run(t, ctx, "clear", setComposer(""))
	})

	t.Run("reply_window_left", func(t *testing.T) {
		badge := get(t, ctx, "window badge", chromedp.Text(chromedp.CSS(`.window-badge`)))
		if !regexp.MustCompile(`^2[23]h \d+m left to reply$`).MatchString(strings.TrimSpace(badge)) {
			t.Fatalf("window badge %q an hour after the customer wrote; want about 23h left", badge)
		}
		if get(t, ctx, "closed", chromedp.Evaluate[bool](`document.querySelector('.window-badge').classList.contains('closed')`)) {
			t.Fatal("open window shown as closed")
		}
	})

	t.Run("reply_window_closed", func(t *testing.T) {
		run(t, ctx, "open the old ticket",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, closed.ID)),
			chromedp.WaitVisible(chromedp.CSS(`.window-badge.closed`)),
			chromedp.WaitVisible(xpathText("span[contains(@class,'window-badge')]", "Reply window closed")),
			chromedp.WaitVisible(xpathText("p[contains(@class,'composer-warn')]", "only accepts approved templates")),
		)
		screenshot(t, ctx, "composer-window-closed")
	})

	t.Run("too_long_for_a_channel_that_cannot_split", func(t *testing.T) {
		run(t, ctx, "open the API ticket",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, api.ID)),
			chromedp.WaitVisible(chromedp.CSS(`#composer-text`)),
			setComposer(strings.Repeat("b", 65537)),
			until(`document.querySelector('.char-count').textContent === '65537 / 65536'`),
			chromedp.WaitVisible(chromedp.CSS(`.split-warn.bad`)),
			chromedp.WaitVisible(xpathText("span[contains(@class,'split-warn')]", "Too long for API")),
		)
		if !sendDisabled(t) {
			t.Fatal("send is enabled for a text the channel refuses")
		}
		run(t, ctx, "at the limit",
			setComposer(strings.Repeat("b", 65536)),
			chromedp.WaitNotPresent(chromedp.CSS(`.split-warn`)),
		)
		if sendDisabled(t) {
			t.Fatal("send is disabled for a text exactly at the limit")
		}
		run(t, ctx, "clear", setComposer(""))
	})

	t.Run("ctrl_enter_sends", func(t *testing.T) {
		const text = "Sent with the keyboard ctrl-9f2"
		run(t, ctx, "type and press Ctrl+Enter",
			chromedp.SendKeys(chromedp.CSS(`#composer-text`), text),
			chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
			chromedp.WaitVisible(xpathText("div[contains(@class,'msg out')]", "ctrl-9f2")),
			until(`document.querySelector('#composer-text').value === ''`),
		)
		externalIDOf(t, n, api.ID, text)
	})
}
