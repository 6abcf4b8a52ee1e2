package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// TestStartAnEmailConversation: from the inbox header the agent writes a new
// e-mail to an address on the e-mail channel; the app opens the new ticket,
// which holds the subject, the new contact and the first message, queued
// for sending like a reply.
func TestStartAnEmailConversation(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	ch := &parley.Channel{Platform: parley.PlatformEmail, Name: "Support mailbox", Status: parley.ChannelActive,
		Config: map[string]string{"from_address": "support@example.com", "smtp_host": "127.0.0.1", "smtp_port": "1"}}
	if err := n.App.Store.CreateChannel(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	ctx := MustBrowser(t, 1280, 900)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	run(t, ctx, "write the mail",
		chromedp.Navigate(n.Base+"/inbox/all"),
		chromedp.WaitVisible(chromedp.CSS(`.list-head .new-email`)),
		chromedp.Click(chromedp.CSS(`.list-head .new-email`)),
		chromedp.WaitVisible(chromedp.CSS(`.new-email-form`)),
	)
	options := get(t, ctx, "channels offered", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.new-email-form select[name=channel_id] option')].map((o) => o.value)`))
	if len(options) != 1 || options[0] != fmt.Sprint(ch.ID) {
		t.Fatalf("channels offered %v, want only the e-mail channel %d", options, ch.ID)
	}
	assertNamedControls(t, ctx, "new e-mail")
	run(t, ctx, "send",
		chromedp.SendKeys(chromedp.CSS(`.new-email-form input[name=address]`), "noor@customer.example"),
		chromedp.SendKeys(chromedp.CSS(`.new-email-form input[name=name]`), "Noor Haddad"),
		chromedp.SendKeys(chromedp.CSS(`.new-email-form input[name=subject]`), "Your replacement part"),
		chromedp.SendKeys(chromedp.CSS(`.new-email-form textarea[name=body]`), "Hello Noor, the part ships today."),
		chromedp.Click(chromedp.CSS(`.new-email-form .btn.primary`)),
		until(`/^\/inbox\/all\/\d+$/.test(location.pathname)`),
		chromedp.WaitVisible(xpathText("*[contains(@class,'msg')]", "the part ships today")),
	)
	convs := n.MustWaitConversations(t, 1)
	conv := convs[0]
	path := get(t, ctx, "path", chromedp.Evaluate[string](`location.pathname`))
	if path != fmt.Sprintf("/inbox/all/%d", conv.ID) {
		t.Errorf("opened %s, want the new ticket %d", path, conv.ID)
	}
	if conv.ChannelID != ch.ID || conv.Subject != "Your replacement part" {
		t.Errorf("ticket on channel %d with subject %q", conv.ChannelID, conv.Subject)
	}
	var page struct{ Items []*parley.Message }
	n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), nil, &page)
	if len(page.Items) != 1 || page.Items[0].Direction != parley.DirectionOut || !strings.Contains(page.Items[0].Body, "ships today") ||
		page.Items[0].Status == parley.MessageReceived {
		t.Fatalf("first message: %+v", page.Items)
	}
	var contact parley.Contact
	n.Do(t, "GET", fmt.Sprintf("/api/v1/contacts/%d", conv.ContactID), nil, &contact)
	if contact.Name != "Noor Haddad" || contact.Email != "noor@customer.example" {
		t.Errorf("contact %q <%s>", contact.Name, contact.Email)
	}

	run(t, ctx, "from the contact page, to the contact's known address",
		chromedp.Navigate(fmt.Sprintf("%s/contacts/%d", n.Base, contact.ID)),
		chromedp.WaitVisible(chromedp.CSS(`.c360-actions .new-email`)),
		chromedp.Click(chromedp.CSS(`.c360-actions .new-email`)),
		chromedp.WaitVisible(chromedp.CSS(`.new-email-form`)),
		chromedp.SendKeys(chromedp.CSS(`.new-email-form input[name=subject]`), "Follow-up"),
		chromedp.SendKeys(chromedp.CSS(`.new-email-form textarea[name=body]`), "Did the part arrive?"),
		chromedp.Click(chromedp.CSS(`.new-email-form .btn.primary`)),
		chromedp.WaitVisible(xpathText("*[contains(@class,'msg')]", "Did the part arrive?")),
	)
	second := n.MustWaitConversations(t, 2)
	for _, c := range second {
		if c.ID != conv.ID && (c.ContactID != contact.ID || c.Subject != "Follow-up") {
			t.Errorf("second ticket: contact %d subject %q, want contact %d", c.ContactID, c.Subject, contact.ID)
		}
	}
}
