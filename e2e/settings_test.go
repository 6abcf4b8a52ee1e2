package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// TestAdminAndTicketActions covers what an admin sets up through the UI
// (a channel, an agent, a team, a tag) and the smaller ticket actions (tags,
// priority, reopen), then presence and signing out.
func TestAdminAndTicketActions(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	ctx := MustBrowser(t, 1280, 720)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)

	t.Run("connect_a_channel", func(t *testing.T) {
		run(t, ctx, "connect form",
			chromedp.Navigate(n.Base+"/admin/channels"),
			chromedp.WaitVisible(xpathText("h3", "Order system")), // the page has settled
			chromedp.Click(xpathText("button", "Connect channel")),
			chromedp.WaitVisible(chromedp.CSS(`.modal`)),
			chromedp.Click(chromedp.CSS(`.platform-option input[value=api]`)),
			chromedp.SendKeys(chromedp.CSS(`.modal input:not([type=radio])`), "Shop backend"),
			chromedp.SendKeys(chromedp.CSS(`.modal input[name=webhook_url]`), n.outbox.URL),
			chromedp.SendKeys(chromedp.CSS(`.modal input[name=secret]`), "another-secret"),
		)
		screenshot(t, ctx, "settings-connect-channel")
		run(t, ctx, "submit", chromedp.Click(chromedp.CSS(`.modal-actions .btn.primary`)), chromedp.WaitVisible(xpathText("h3", "Shop backend")))
		var page struct{ Items []*parley.Channel }
		n.Do(t, "GET", "/api/v1/channels", nil, &page)
		i := slices.IndexFunc(page.Items, func(c *parley.Channel) bool { return c.Name == "Shop backend" })
		if i < 0 || page.Items[i].Platform != parley.PlatformAPI || page.Items[i].Config["webhook_url"] != n.outbox.URL {
			t.Fatalf("channels after connecting: %+v", page.Items)
		}
	})

	t.Run("invite_an_agent", func(t *testing.T) {
		run(t, ctx, "invite",
			chromedp.Navigate(n.Base+"/admin/agents"),
			chromedp.WaitVisible(xpathText("td", "bo@example.com")),
			chromedp.Click(xpathText("button", "Invite agent")),
			chromedp.WaitVisible(chromedp.CSS(`.modal`)),
			chromedp.SendKeys(`//label[.//span[text()='Name']]//input`, "Carla Díaz"),
			chromedp.SendKeys(`//label[.//span[text()='Email']]//input`, "carla@example.com"),
			chromedp.SendKeys(`//label[.//span[text()='Initial password']]//input`, "carla-password"),
			chromedp.Click(chromedp.CSS(`.modal-actions .btn.primary`)),
			chromedp.WaitVisible(xpathText("td", "carla@example.com")),
		)
	})

	t.Run("create_a_team_and_a_tag", func(t *testing.T) {
		run(t, ctx, "team",
			chromedp.Navigate(n.Base+"/admin/teams"),
			chromedp.WaitVisible(xpathText("h3", "Billing")),
			chromedp.Click(xpathText("button", "New team")),
			chromedp.WaitVisible(chromedp.CSS(`.modal`)),
			chromedp.SendKeys(`//label[.//span[text()='Name']]//input`, "Support EU"),
			chromedp.Click(xpathText("label[contains(@class,'check-row')]", "Bo Chen")),
			chromedp.Click(chromedp.CSS(`.modal-actions .btn.primary`)),
			chromedp.WaitVisible(xpathText("h3", "Support EU")),
		)
		run(t, ctx, "tag",
			chromedp.Navigate(n.Base+"/admin/tags"),
			chromedp.WaitVisible(xpathText("span[contains(@class,'tag')]", "refund")),
			chromedp.SendKeys(`//label[.//span[text()='Tag']]//input`, "vip-followup"),
			chromedp.Click(xpathText("button", "Create tag")),
			chromedp.WaitVisible(xpathText("span[contains(@class,'tag')]", "vip-followup")),
		)
		screenshot(t, ctx, "settings-tags")
	})

	t.Run("tags_priority_and_reopen_on_a_ticket", func(t *testing.T) {
		n.MustPostInbound(t, []InboundMessage{{ID: "a-1", Contact: contact("cust-9", "Noah Williams", "noah@example.com"), Text: "Where is my refund?", Timestamp: ago(time.Minute)}}, nil)
		conv := n.MustWaitConversations(t, 1)[0]
		path := fmt.Sprintf("/api/v1/conversations/%d", conv.ID)
		run(t, ctx, "tag, prioritise, resolve, reopen",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, conv.ID)),
			chromedp.WaitVisible(xpathText("h2", "Noah Williams")),
			chromedp.SendKeys(chromedp.CSS(`.tag-add input`), "refund\r"),
			chromedp.WaitVisible(xpathText("span[contains(@class,'tag')]", "refund")),
			chromedp.Click(chromedp.CSS(`.conv-actions button[aria-label="Priority"]`)),
			chromedp.Click(xpathText("button[contains(@class,'menu-item')]", "High")),
			chromedp.WaitVisible(chromedp.CSS(`.conv-actions .priority.p2`)),
			chromedp.Click(chromedp.CSS(`.conv-actions .btn.primary`)),
			chromedp.WaitVisible(chromedp.CSS(`.conv-sub .status-resolved`)),
			chromedp.Click(xpathText("div[contains(@class,'conv-actions')]//button", "Reopen")),
			chromedp.WaitVisible(chromedp.CSS(`.conv-sub .status-open`)),
		)
		var c parley.Conversation
		n.Do(t, "GET", path, nil, &c)
		if !slices.Contains(c.Tags, "refund") || c.Priority != parley.PriorityHigh || c.Status != parley.StatusOpen {
			t.Fatalf("ticket after the actions: tags %v priority %d status %s", c.Tags, c.Priority, c.Status)
		}
		run(t, ctx, "remove the tag",
			chromedp.Click(chromedp.CSS(`.tag-row button[aria-label="Remove tag refund"]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`.tag-row button[aria-label="Remove tag refund"]`)),
		)
	})

	t.Run("api_token_created_used_and_revoked", func(t *testing.T) {
		run(t, ctx, "create a token",
			chromedp.Click(chromedp.CSS(`.me-menu > button`)),
			chromedp.Click(xpathText("button[contains(@class,'menu-item')]", "Profile")),
			chromedp.WaitVisible(chromedp.CSS(`.modal .tokens`)),
			chromedp.SendKeys(`//label[.//span[text()='Token name']]//input`, "ci-bot"),
			chromedp.Click(xpathText("button", "Create token")),
			chromedp.WaitVisible(chromedp.CSS(`.token-fresh code`)),
		)
		token := get(t, ctx, "token", chromedp.Text(chromedp.CSS(`.token-fresh code`)))
		if code := bearerStatus(t, n, token); code != http.StatusOK {
			t.Fatalf("GET /api/v1/me with the new token = %d", code)
		}
		run(t, ctx, "revoke it",
			eval(`window.confirm = () => true`),
			chromedp.Click(xpathText("li", "ci-bot")+`//button`),
			chromedp.WaitNotPresent(xpathText("span[contains(@class,'token-name')]", "ci-bot")),
			chromedp.KeyEvent("\x1b"),
		)
		if code := bearerStatus(t, n, token); code != http.StatusUnauthorized {
			t.Fatalf("GET /api/v1/me with the revoked token = %d", code)
		}
	})

	t.Run("presence_switch_then_sign_out", func(t *testing.T) {
		run(t, ctx, "set away",
			chromedp.Click(chromedp.CSS(`.me-menu > button`)),
			chromedp.Click(`//div[contains(@class,'segmented')]//button[contains(., 'Away')]`),
			chromedp.WaitVisible(xpathText("span[contains(@class,'me-presence')]", "Away")),
		)
		var me parley.Agent
		n.Do(t, "GET", "/api/v1/me", nil, &me)
		if me.Presence != parley.PresenceAway {
			t.Fatalf("presence %q after choosing Away", me.Presence)
		}
		run(t, ctx, "sign out",
			chromedp.Click(xpathText("button[contains(@class,'menu-item')]", "Sign out")),
			chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
			chromedp.Navigate(n.Base+"/inbox/all"),
			chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		)
	})
}

func bearerStatus(t *testing.T, n *Node, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", n.Base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
