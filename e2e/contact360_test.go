package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// TestContact360 opens a contact's page: the suggestion that another contact
// (same e-mail, written on another channel) is the same person with its
// evidence, another dismissed as not the same person, the merge, then one timeline of both channels' tickets, consent
// per channel, and the company lookup's failure shown without breaking the
// page; in English and Chinese.
func TestContact360(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	lookup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "crm is down", http.StatusBadGateway)
	}))
	t.Cleanup(lookup.Close)
	n.Do(t, "PUT", "/api/v1/settings/contact-lookup", map[string]any{"url_template": lookup.URL + "/customers?email={email}", "timeout_ms": 2000}, &map[string]any{})

	n.MustPostInbound(t, []InboundMessage{{ID: "c-1", Contact: contact("shop-7", "Ines Duarte", "ines@example.pt"), Text: "Where is my order 5531?", Timestamp: ago(3 * time.Hour)}}, nil)
	first := n.Channel
	var second parley.Channel
	n.Do(t, "POST", "/api/v1/channels", map[string]any{"platform": "api", "name": "Returns portal",
		"config": map[string]string{"webhook_url": n.outbox.URL}, "secrets": map[string]string{"secret": channelSecret}}, &second)
	n.Channel = &second
	n.MustPostInbound(t, []InboundMessage{{ID: "c-2", Contact: contact("ret-9", "Ines D.", "ines@example.pt"), Text: "I'd like to return the blue jacket.", Timestamp: ago(time.Hour)}}, nil)
	n.Channel = first
	n.MustPostInbound(t, []InboundMessage{{ID: "c-3", Contact: contact("shop-8", "Inês Duarte Lopes", "ines@example.pt"), Text: "Do you ship to Madeira?", Timestamp: ago(2 * time.Hour)}}, nil)
	convs := n.MustWaitConversations(t, 3)
	ines := findByContact(t, convs, "Ines Duarte")
	other := findByContact(t, convs, "Ines D.")
	stranger := findByContact(t, convs, "Inês Duarte Lopes")
	n.Do(t, "PUT", fmt.Sprintf("/api/v1/contacts/%d/consents", ines.ContactID), map[string]any{"platform": "api", "purpose": "marketing", "granted": true, "source": "web form"}, &map[string]any{})

	ctx := MustBrowser(t, 1440, 900)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)

	t.Run("suggestion_with_evidence_then_merge", func(t *testing.T) {
		run(t, ctx, "open the contact",
			chromedp.Navigate(fmt.Sprintf("%s/contacts/%d", n.Base, ines.ContactID)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.suggestion[data-contact="%d"]`, other.ContactID))),
			chromedp.WaitVisible(chromedp.CSS(`.lookup-error`)),
		)
		evidence := get(t, ctx, "evidence", chromedp.Text(chromedp.CSS(`.suggestion .evidence`)))
		if !strings.Contains(evidence, "Same e-mail") || !strings.Contains(evidence, "ines@example.pt") {
			t.Errorf("evidence = %q, want the shared e-mail", evidence)
		}
		// Where each contact has the e-mail comes as codes, said in the agent's language (not the server's English detail).
		where := get(t, ctx, "evidence detail", chromedp.Text(chromedp.CSS(`.suggestion .evidence-detail`)))
		if !strings.HasPrefix(where, "This one: ") || !strings.Contains(where, "; the other: ") || strings.Contains(where, "this contact:") {
			t.Errorf("evidence detail = %q", where)
		}
		screenshot(t, ctx, "contact-suggestion")
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
		run(t, ctx, "in Chinese", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.suggestion .evidence-detail`)))
		whereZh := get(t, ctx, "evidence detail in Chinese", chromedp.Text(chromedp.CSS(`.suggestion .evidence-detail`)))
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en"}, nil)
		if !strings.HasPrefix(whereZh, "此联系人：") || strings.Contains(whereZh, "contact") {
			t.Errorf("evidence detail in Chinese = %q", whereZh)
		}
		run(t, ctx, "back in English", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.suggestion .evidence-detail`)))
		run(t, ctx, "not the same person",
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.suggestion[data-contact="%d"]`, stranger.ContactID))),
			chromedp.Click(fmt.Sprintf(`//article[@data-contact='%d']//button[contains(., 'Not the same person')]`, stranger.ContactID)),
			chromedp.WaitNotPresent(chromedp.CSS(fmt.Sprintf(`.suggestion[data-contact="%d"]`, stranger.ContactID))),
		)
		var sugg struct {
			Items []struct {
				Contact parley.Contact `json:"contact"`
			}
		}
		n.Do(t, "GET", fmt.Sprintf("/api/v1/contacts/%d/suggestions", ines.ContactID), nil, &sugg)
		if len(sugg.Items) != 1 || sugg.Items[0].Contact.ID != other.ContactID {
			t.Fatalf("suggestions after dismissing: %+v", sugg.Items)
		}
		run(t, ctx, "merge",
			eval(`window.confirm = () => true`),
			chromedp.Click(xpathText("button", "Merge into this contact")),
			chromedp.WaitVisible(chromedp.CSS(`.merge-done`)),
			until(`document.querySelectorAll('.tl-entry').length >= 2`),
		)
		var v struct {
			Conversations []*parley.Conversation `json:"conversations"`
		}
		n.Do(t, "GET", fmt.Sprintf("/api/v1/contacts/%d/360", ines.ContactID), nil, &v)
		if len(v.Conversations) != 2 {
			t.Fatalf("after the merge the contact has %d tickets, want 2", len(v.Conversations))
		}
	})

	t.Run("one_timeline_of_both_channels", func(t *testing.T) {
		run(t, ctx, "timeline", until(`document.querySelectorAll('.tl-entry').length === 2`))
		channels := get(t, ctx, "channels", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.tl-channel')].map((e) => e.textContent)`))
		consent := get(t, ctx, "consent", chromedp.Text(chromedp.CSS(`.consents`)))
		lookupErr := get(t, ctx, "lookup", chromedp.Text(chromedp.CSS(`.lookup-error`)))
		// Newest first: the returns portal's ticket, then the order system's.
		if len(channels) != 2 || channels[0] != "Returns portal" || channels[1] != "Order system" {
			t.Errorf("timeline channels = %q", channels)
		}
		// The customers wrote one and three hours ago; the node stored it just now: the timeline tells the former.
		ages := get(t, ctx, "timeline times", chromedp.Evaluate[[]float64](`[...document.querySelectorAll('.tl-entry time')].map((e) => (Date.now() - Date.parse(e.dateTime)) / 60000)`))
		labels := get(t, ctx, "timeline labels", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.tl-entry time')].map((e) => e.textContent)`))
		if len(ages) != 2 || ages[0] < 50 || ages[1] < 170 {
			t.Errorf("timeline entries are %v minutes old (%q), want about 60 and 180", ages, labels)
		}
		if !strings.Contains(consent, "Opted in") || !strings.Contains(consent, "marketing") {
			t.Errorf("consent = %q", consent)
		}
		if note := get(t, ctx, "csat", chromedp.Text(chromedp.CSS(`.csat-note`))); note != "No surveys have been sent yet: ratings appear here once surveys exist." {
			t.Errorf("CSAT note = %q", note)
		}
		if !strings.Contains(lookupErr, "Couldn't get the company's data") {
			t.Errorf("lookup failure = %q", lookupErr)
		}
		screenshot(t, ctx, "contact-360")
		assertNamedControls(t, ctx, "contact 360")
	})

	t.Run("from_a_ticket_to_the_profile", func(t *testing.T) {
		run(t, ctx, "ticket, then profile",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, ines.ID)),
			chromedp.WaitVisible(chromedp.CSS(`.contact-panel .cp-profile`)),
			chromedp.Click(chromedp.CSS(`.contact-panel .cp-profile`)),
			until(fmt.Sprintf(`location.pathname === '/contacts/%d'`, ines.ContactID)),
			chromedp.WaitVisible(chromedp.CSS(`.tl-entry`)),
		)
	})

	t.Run("in_chinese", func(t *testing.T) {
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
		defer n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en"}, nil)
		run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.tl-entry`)))
		heads := get(t, ctx, "headings", chromedp.Evaluate[string](`[...document.querySelectorAll('.c360-section h3')].map((e) => e.textContent).join('|')`))
		for _, want := range []string{"跨渠道时间线", "各渠道的同意", "来自公司系统"} {
			if !strings.Contains(heads, want) {
				t.Errorf("headings %q lack %q", heads, want)
			}
		}
		if note := get(t, ctx, "csat", chromedp.Text(chromedp.CSS(`.csat-note`))); !strings.Contains(note, "尚未发送过满意度调查") {
			t.Errorf("CSAT note in Chinese = %q", note)
		}
		if consent := get(t, ctx, "consent", chromedp.Text(chromedp.CSS(`.consents`))); !strings.Contains(consent, "营销") || !strings.Contains(consent, "已同意") {
			t.Errorf("consent in Chinese = %q", consent)
		}
	})
}
