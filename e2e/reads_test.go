package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// TestUnreadTicketsInBold checks the read markers: tickets with messages the
// agent has not seen are bold; opening one marks it read on the server (for
// this agent only) and un-bolds it; a new customer message makes it bold
// again, live.
func TestUnreadTicketsInBold(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	n.MustPostInbound(t, []InboundMessage{
		{ID: "r-1", Contact: contact("cust-r1", "Sofia Rossi", "sofia@example.it"), Text: "Is the store open on Sunday?", Timestamp: ago(5 * time.Minute)},
		{ID: "r-2", Contact: contact("cust-r2", "Kenji Sato", "kenji@example.jp"), Text: "My coupon expired yesterday.", Timestamp: ago(4 * time.Minute)},
	}, nil)
	convs := n.MustWaitConversations(t, 2)
	sofia := findByContact(t, convs, "Sofia Rossi")
	kenji := findByContact(t, convs, "Kenji Sato")
	ctx := MustBrowser(t, 1280, 720)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	row := func(c *parley.Conversation) string { return fmt.Sprintf(`.conv-row[data-conversation="%d"]`, c.ID) }

	run(t, ctx, "both unread",
		chromedp.Navigate(n.Base+"/inbox/all"),
		chromedp.WaitVisible(chromedp.CSS(row(sofia)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(row(kenji)+".unread")),
	)
	weight := get(t, ctx, "weight", chromedp.Evaluate[string](fmt.Sprintf(`getComputedStyle(document.querySelector('%s .conv-name')).fontWeight`, row(sofia))))
	if weight != "700" {
		t.Errorf("unread row's name weight = %s, want bold", weight)
	}
	run(t, ctx, "open Sofia's ticket",
		chromedp.Click(chromedp.CSS(row(sofia)+" a")),
		chromedp.WaitVisible(xpathText("div[contains(@class,'msg-text')]", "open on Sunday")),
		chromedp.WaitVisible(chromedp.CSS(row(sofia)+":not(.unread)")),
	)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var page struct {
			Items []struct {
				ID     int64 `json:"id"`
				Unread *bool `json:"unread"`
			}
		}
		n.Do(t, "GET", "/api/v1/conversations?view=all", nil, &page)
		unread := map[int64]bool{}
		for _, c := range page.Items {
			unread[c.ID] = c.Unread != nil && *c.Unread
		}
		if !unread[sofia.ID] && unread[kenji.ID] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server read markers: %v (want Sofia read, Kenji unread)", unread)
		}
		time.Sleep(100 * time.Millisecond)
	}
	run(t, ctx, "a reload keeps them", chromedp.Navigate(n.Base+"/inbox/all"),
		chromedp.WaitVisible(chromedp.CSS(row(kenji)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(row(sofia)+":not(.unread)")),
	)
	screenshot(t, ctx, "inbox-unread")
	n.MustPostInbound(t, []InboundMessage{{ID: "r-3", Contact: contact("cust-r1", "Sofia Rossi", "sofia@example.it"), Text: "Also, do you sell gift cards?", Timestamp: ago(0)}}, nil)
	run(t, ctx, "a new message makes it unread again", chromedp.WaitVisible(chromedp.CSS(row(sofia)+".unread")))
}
