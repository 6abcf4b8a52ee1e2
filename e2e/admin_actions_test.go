package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// boRow is Bo's row on the agents page.
const boRow = `//tr[.//span[contains(@class,'muted') and normalize-space(.)='bo@example.com']]`

// TestAdminActions has an admin disconnect a channel, change an agent's
// role and deactivate that agent from the settings screens, and checks the
// consequences outside the admin's browser.
func TestAdminActions(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	var old parley.Channel
	n.Do(t, "POST", "/api/v1/channels", map[string]any{
		"platform": "api", "name": "Retired shop",
		"config":  map[string]string{"webhook_url": n.outbox.URL},
		"secrets": map[string]string{"secret": channelSecret},
	}, &old)
	bo := agentByEmail(t, n, "bo@example.com")
	boAPI := mustAgentAPI(t, n, "bo@example.com", "bo-password-1")

	ctx := MustBrowser(t, 1280, 800)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)

	t.Run("disconnect_channel", func(t *testing.T) {
		card := `//article[contains(@class,'channel-card')][.//h3[normalize-space(.)='Retired shop']]`
		run(t, ctx, "disconnect",
			chromedp.Navigate(n.Base+"/admin/channels"),
			chromedp.WaitVisible(card),
			eval(`window.confirm = () => true`),
			chromedp.Click(card+`//button[contains(@class,'danger')]`),
			chromedp.WaitNotPresent(card),
			chromedp.WaitVisible(xpathText("h3", "Order system")),
		)
		if code := n.Do(t, "GET", fmt.Sprintf("/api/v1/channels/%d", old.ID), nil, nil); code != http.StatusNotFound {
			t.Fatalf("GET the disconnected channel = %d, want 404", code)
		}
		kept := n.Channel
		n.Channel = &old
		defer func() { n.Channel = kept }()
		if code, _ := n.postInbound(t, map[string]any{"messages": []InboundMessage{{ID: "gone-1", Contact: contact("g", "Gina", "gina@example.com"), Text: "hello?", Timestamp: ago(0)}}}); code == http.StatusOK {
			t.Fatal("the disconnected channel's webhook still accepts messages")
		}
	})

	t.Run("change_role", func(t *testing.T) {
		tag := map[string]any{"name": "vip-" + fmt.Sprint(bo.ID), "color": "#1c7ed6"}
		if code, _ := boAPI.do(t, "POST", "/api/v1/tags", tag, nil); code != http.StatusForbidden {
			t.Fatalf("an agent creating a tag = %d, want 403", code)
		}
		run(t, ctx, "make Bo an admin",
			chromedp.Navigate(n.Base+"/admin/agents"),
			chromedp.WaitVisible(boRow),
			eval(fmt.Sprintf(`(() => { const s = document.evaluate(%q, document, null, 9, null).singleNodeValue; s.value = 'admin'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`, boRow+`//select`)),
		)
		waitAgent(t, n, bo.ID, func(a *parley.Agent) bool { return a.Role == parley.RoleAdmin })
		run(t, ctx, "the page keeps the new role", chromedp.Navigate(n.Base+"/admin/agents"), chromedp.WaitVisible(boRow),
			until(fmt.Sprintf(`document.evaluate(%q, document, null, 9, null).singleNodeValue.value === 'admin'`, boRow+`//select`)))
		if code, raw := boAPI.do(t, "POST", "/api/v1/tags", tag, nil); code >= 300 {
			t.Fatalf("Bo as admin creating a tag = %d %s", code, raw)
		}
	})

	t.Run("deactivate_agent_ends_their_session", func(t *testing.T) {
		boBrowser := MustBrowser(t, 1280, 720)
		signIn(t, boBrowser, n.Base, "bo@example.com", "bo-password-1")
		run(t, ctx, "deactivate Bo",
			chromedp.Navigate(n.Base+"/admin/agents"),
			chromedp.WaitVisible(boRow),
			chromedp.Click(boRow+`//button[normalize-space(.)='Deactivate']`),
			chromedp.WaitVisible(boRow+`//button[normalize-space(.)='Reactivate']`),
		)
		waitAgent(t, n, bo.ID, func(a *parley.Agent) bool { return !a.Active })
		if code, raw := boAPI.do(t, "GET", "/api/v1/me", nil, nil); code != http.StatusUnauthorized {
			t.Fatalf("Bo's API session after deactivation: GET /me = %d %s, want 401", code, raw)
		}
		run(t, boBrowser, "Bo's browser is back at sign-in",
			chromedp.Navigate(n.Base+"/inbox/all"),
			chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		)
		if code, _ := (&agentAPI{base: n.Base, client: &http.Client{}}).do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "bo@example.com", "password": "bo-password-1"}, nil); code == http.StatusOK {
			t.Fatal("a deactivated agent can sign in again")
		}
	})
}

func waitAgent(t *testing.T, n *Node, id int64, ok func(*parley.Agent) bool) {
	t.Helper()
	var a parley.Agent
	for range 300 {
		var page struct{ Items []*parley.Agent }
		n.Do(t, "GET", "/api/v1/agents", nil, &page)
		for _, x := range page.Items {
			if x.ID == id {
				a = *x
			}
		}
		if ok(&a) {
			return
		}
		sleepPoll()
	}
	t.Fatalf("agent %d never reached the expected state: %+v", id, a)
}

func sleepPoll() { time.Sleep(100 * time.Millisecond) }
