package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
)

// TestWhatsAppTemplates syncs a WhatsApp number's templates from (a fake)
// Meta on the channel settings, then answers a customer whose 24-hour
// window has closed: the composer offers the approved templates only, the
// agent fills {{1}} and {{2}} with a live preview, and the template goes out
// with its parameters; the picker in Chinese.
func TestWhatsAppTemplates(t *testing.T) {
	const phoneID, wabaID, token = "1098765432", "2001", "wa-token"
	graph := fake.New(fake.Config{})
	if err := graph.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = graph.Close() })
	graph.AddWhatsApp(phoneID, wabaID, token)
	graph.PutTemplate(phoneID, fake.Template{Name: "order_update", Language: "en_US", Status: "APPROVED", Category: "UTILITY",
		Header: "Order {{2}}", Body: "Hi {{1}}, your order {{2}} has shipped.", Footer: "Reply STOP to opt out"})
	graph.PutTemplate(phoneID, fake.Template{Name: "spring_sale", Language: "en_US", Status: "PENDING", Category: "MARKETING", Body: "Sale!"})

	n := MustStartNode(t, true)
	n.MustSeed(t)
	var wa parley.Channel
	n.Do(t, "POST", "/api/v1/channels", map[string]any{"platform": "whatsapp", "name": "WhatsApp Sales",
		"config":  map[string]string{"phone_number_id": phoneID, "waba_id": wabaID, "graph_base_url": graph.URL},
		"secrets": map[string]string{"access_token": token, "app_secret": "wa-app-secret", "verify_token": "wa-verify"}}, &wa)
	// The customer wrote two days ago: the free-form window has closed.
	if _, err := n.App.Store.Ingest(t.Context(), []*parley.InboundEvent{{Kind: parley.InboundMessage, ChannelID: wa.ID, Platform: parley.PlatformWhatsApp,
		ExternalID: "wamid.tpl-1", Direction: parley.DirectionIn, Timestamp: time.Now().Add(-48 * time.Hour), Text: "Has my order shipped?",
		Sender: parley.Sender{Kind: parley.IdentityWhatsApp, ID: "5511999990000", Name: "Rafael Costa", Verified: true}}}); err != nil {
		t.Fatal(err)
	}
	conv := n.MustWaitConversations(t, 1)[0]
	ctx := MustBrowser(t, 1280, 800)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)

	t.Run("sync_on_the_channel_settings", func(t *testing.T) {
		run(t, ctx, "sync",
			chromedp.Navigate(n.Base+"/admin/channels"),
			chromedp.WaitVisible(xpathText("h3", "WhatsApp Sales")),
			chromedp.Click(xpathText("button", "Sync templates")),
			chromedp.WaitVisible(xpathText("div[contains(@class,'toast')]", "2 templates synced")),
		)
	})

	t.Run("closed_window_offers_approved_templates", func(t *testing.T) {
		run(t, ctx, "open the ticket and the picker",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, conv.ID)),
			chromedp.WaitVisible(chromedp.CSS(`.composer-warn .link-btn`)),
			chromedp.Click(chromedp.CSS(`.composer-warn .link-btn`)),
			chromedp.WaitVisible(chromedp.CSS(`.template-option[data-template=order_update]`)),
		)
		names := get(t, ctx, "templates", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.template-option')].map((e) => e.dataset.template)`))
		if len(names) != 1 || names[0] != "order_update" {
			t.Fatalf("templates offered = %v, want only the approved order_update", names)
		}
		run(t, ctx, "fill the parameters",
			chromedp.Click(chromedp.CSS(`.template-option[data-template=order_update]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name=param2]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name=param2]`), "#5531"),
		)
		preview := get(t, ctx, "preview", chromedp.Text(chromedp.CSS(`.template-preview .bubble`)))
		if !strings.Contains(preview, "Hi Rafael, your order #5531 has shipped.") || !strings.Contains(preview, "Order #5531") {
			t.Fatalf("preview = %q", preview)
		}
		screenshot(t, ctx, "whatsapp-template")
		assertNamedControls(t, ctx, "template picker")
		run(t, ctx, "send",
			chromedp.Click(chromedp.CSS(`.template-form .btn.primary`)),
			chromedp.WaitVisible(chromedp.CSS(`.msg.out .msg-template`)),
		)
		var page struct{ Items []*parley.Message }
		n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), nil, &page)
		last := page.Items[len(page.Items)-1]
		var params []string
		_ = json.Unmarshal([]byte(last.Metadata["template_params"]), &params)
		if last.Kind != "template" || last.Metadata["template_name"] != "order_update" || last.Metadata["template_language"] != "en_US" ||
			len(params) != 2 || params[0] != "Rafael" || params[1] != "#5531" {
			t.Fatalf("sent message: kind %s metadata %v", last.Kind, last.Metadata)
		}
	})

	t.Run("picker_in_chinese", func(t *testing.T) {
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
		defer n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en"}, nil)
		run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.template-btn`)), chromedp.Click(chromedp.CSS(`.template-btn`)),
			chromedp.WaitVisible(chromedp.CSS(`.template-option`)))
		title := get(t, ctx, "title", chromedp.Text(chromedp.CSS(`.modal-head h2`)))
		if title != "发送 WhatsApp 模板" {
			t.Errorf("picker title = %q", title)
		}
	})
}
