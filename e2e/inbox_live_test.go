package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// agentAPI is a second API client, signed in as another agent, so that a
// change can come from someone other than the browser's agent.
type agentAPI struct {
	base   string
	client *http.Client
}

func mustAgentAPI(tb testing.TB, n *Node, email, password string) *agentAPI {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	a := &agentAPI{base: n.Base, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	if code, raw := a.do(tb, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, nil); code != http.StatusOK {
		tb.Fatalf("%s cannot sign in: %d %s", email, code, raw)
	}
	return a
}

// do calls the API and returns the status and body; out is filled on success.
func (a *agentAPI) do(tb testing.TB, method, path string, body, out any) (int, string) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", a.base)
	resp, err := a.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

// patchConversation applies upd on the ticket's current version as the admin.
func patchConversation(t *testing.T, n *Node, id int64, upd map[string]any) *parley.Conversation {
	t.Helper()
	var c parley.Conversation
	n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d", id), nil, &c)
	upd["version"] = c.Version
	n.Do(t, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", id), upd, &c)
	return &c
}

func agentByEmail(t *testing.T, n *Node, email string) *parley.Agent {
	t.Helper()
	var page struct{ Items []*parley.Agent }
	n.Do(t, "GET", "/api/v1/agents", nil, &page)
	for _, a := range page.Items {
		if a.Email == email {
			return a
		}
	}
	t.Fatalf("no agent %s", email)
	return nil
}

// listIs waits until the inbox list shows exactly these tickets; ordered
// compares the order too.
func listIs(ordered bool, ids ...int64) chromedp.Action[chromedp.Void] {
	want := make([]string, len(ids))
	for i, id := range ids {
		want[i] = strconv.FormatInt(id, 10)
	}
	if !ordered {
		sort.Strings(want)
	}
	got := `[...document.querySelectorAll('.conv-list .conv-row')].map((r) => r.dataset.conversation)`
	if !ordered {
		got += `.sort()`
	}
	return until(fmt.Sprintf(`%s.join() === %q`, got, strings.Join(want, ",")))
}

// navCount waits for the sidebar badge of a view to read want.
func navCount(view string, want int) chromedp.Action[chromedp.Void] {
	return until(fmt.Sprintf(`(document.querySelector('.nav-item[data-view=%s] .count') || {}).textContent === '%d'`, view, want))
}

// chooseFilter opens the filter panel and picks value in its index-th select.
func chooseFilter(index int, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		eval(`(() => { if (!document.querySelector('.filters')) document.querySelector('.list-title .popover > button').click(); })()`),
		chromedp.WaitVisible(chromedp.CSS(`.filters select`)),
		eval(fmt.Sprintf(`(() => { const s = document.querySelectorAll('.filters select')[%d]; s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); })()`, index, value)),
	)
}

func chooseSort(value string) chromedp.Action[chromedp.Void] {
	return eval(fmt.Sprintf(`(() => { const s = document.querySelector('#sort'); s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); })()`, value))
}

// TestInboxLive checks that the open inbox follows the world without a
// reload (new tickets, assignments by others) and that its filters, sort and
// bulk bar change the list as they say.
func TestInboxLive(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	n.MustPostInbound(t, []InboundMessage{
		{ID: "l-1", Contact: contact("c-a", "Alice Dubois", "alice@example.com"), Text: "Where is my parcel?", Timestamp: ago(50 * time.Minute)},
		{ID: "l-2", Contact: contact("c-b", "Bruno Lima", "bruno@example.com"), Text: "I was charged twice.", Timestamp: ago(40 * time.Minute)},
		{ID: "l-3", Contact: contact("c-c", "Chen Wei", "chen@example.com"), Text: "Can I change the size?", Timestamp: ago(30 * time.Minute)},
	}, nil)
	convs := n.MustWaitConversations(t, 3)
	a, b, c := findByContact(t, convs, "Alice Dubois"), findByContact(t, convs, "Bruno Lima"), findByContact(t, convs, "Chen Wei")
	ana, bo := agentByEmail(t, n, adminEmail), agentByEmail(t, n, "bo@example.com")
	firstChannel := n.Channel
	var second parley.Channel
	n.Do(t, "POST", "/api/v1/channels", map[string]any{
		"platform": "api", "name": "Partner shop",
		"config":  map[string]string{"webhook_url": n.outbox.URL},
		"secrets": map[string]string{"secret": channelSecret},
	}, &second)

	ctx := MustBrowser(t, 1280, 720)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	run(t, ctx, "all view",
		chromedp.Navigate(n.Base+"/inbox/all"),
		listIs(false, a.ID, b.ID, c.ID),
		navCount("all", 3),
		chromedp.WaitVisible(chromedp.CSS(`.live-dot.on`)),
		eval(`window.__sameDocument = true`),
	)

	var d *parley.Conversation
	t.Run("new_ticket_appears_live", func(t *testing.T) {
		n.Channel = &second
		n.MustPostInbound(t, []InboundMessage{{ID: "l-4", Contact: contact("c-d", "Dana Novak", "dana@example.com"), Text: "Hello from the partner shop", Timestamp: ago(0)}}, nil)
		n.Channel = firstChannel
		d = waitPreview(t, n, "Dana Novak", "Hello from the partner shop")
		run(t, ctx, "new row and counts",
			chromedp.WaitVisible(xpathText("span[contains(@class,'conv-preview')]", "Hello from the partner shop")),
			listIs(false, a.ID, b.ID, c.ID, d.ID),
			navCount("all", 4),
			navCount("unassigned", 4),
		)
		if !get(t, ctx, "same document", chromedp.Evaluate[bool](`window.__sameDocument === true`)) {
			t.Fatal("the page reloaded to show the new ticket")
		}
	})

	t.Run("assigned_by_colleague_moves_into_mine", func(t *testing.T) {
		run(t, ctx, "mine view",
			chromedp.Click(chromedp.CSS(`.nav-item[data-view=mine]`)),
			chromedp.WaitVisible(xpathText("h1", "Mine")),
			until(`document.querySelectorAll('.conv-list .conv-row').length === 0`),
		)
		boAPI := mustAgentAPI(t, n, "bo@example.com", "bo-password-1")
		var cur parley.Conversation
		n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d", b.ID), nil, &cur)
		if code, raw := boAPI.do(t, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", b.ID), map[string]any{"version": cur.Version, "assignee_id": ana.ID}, nil); code != http.StatusOK {
			t.Fatalf("Bo assigning to Ana: %d %s", code, raw)
		}
		run(t, ctx, "the ticket is in Mine without a reload",
			listIs(false, b.ID),
			navCount("mine", 1),
			navCount("unassigned", 3),
		)
		if !get(t, ctx, "same document", chromedp.Evaluate[bool](`window.__sameDocument === true`)) {
			t.Fatal("the page reloaded to show the assignment")
		}
	})

	patchConversation(t, n, a.ID, map[string]any{"add_tags": []string{"refund"}})
	patchConversation(t, n, b.ID, map[string]any{"priority": 3})
	patchConversation(t, n, c.ID, map[string]any{"priority": 2, "assignee_id": bo.ID})

	t.Run("filters_change_the_list", func(t *testing.T) {
		run(t, ctx, "all view", chromedp.Navigate(n.Base+"/inbox/all"), listIs(false, a.ID, b.ID, c.ID, d.ID))
		reset := chromedp.Steps(
			eval(`document.querySelector('.filters .btn.ghost').click()`),
			listIs(false, a.ID, b.ID, c.ID, d.ID),
		)
		run(t, ctx, "channel", chooseFilter(0, strconv.FormatInt(second.ID, 10)), listIs(false, d.ID), reset)
		run(t, ctx, "priority", chooseFilter(1, "3"), listIs(false, b.ID), reset)
		run(t, ctx, "tag", chooseFilter(2, "refund"), listIs(false, a.ID), reset)
		run(t, ctx, "assignee", chooseFilter(3, strconv.FormatInt(bo.ID, 10)), listIs(false, c.ID), reset)
		patchConversation(t, n, d.ID, map[string]any{"status": "resolved"})
		run(t, ctx, "resolved leaves the active list", listIs(false, a.ID, b.ID, c.ID))
		run(t, ctx, "status tab resolved",
			eval(`(() => { if (document.querySelector('.filters')) document.querySelector('.list-title .popover > button').click(); })()`),
			chromedp.WaitNotPresent(chromedp.CSS(`.filters`)),
			chromedp.Click(xpathText("div[contains(@class,'status-tabs')]/button", "Resolved")),
			listIs(false, d.ID),
			chromedp.Click(xpathText("div[contains(@class,'status-tabs')]/button", "Active")),
			listIs(false, a.ID, b.ID, c.ID),
		)
	})

	t.Run("sort_orders_the_list", func(t *testing.T) {
		run(t, ctx, "newest", chooseSort("newest"), listIs(true, c.ID, b.ID, a.ID))
		run(t, ctx, "oldest waiting", chooseSort("oldest_waiting"), listIs(true, a.ID, b.ID, c.ID))
		run(t, ctx, "priority", chooseSort("priority"), listIs(true, b.ID, c.ID, a.ID))
		run(t, ctx, "back to newest", chooseSort("newest"), listIs(true, c.ID, b.ID, a.ID))
	})

	t.Run("bulk_assign_and_tag", func(t *testing.T) {
		check := func(id int64) chromedp.Action[chromedp.Void] {
			return chromedp.Click(chromedp.CSS(fmt.Sprintf(`.conv-row[data-conversation="%d"] .row-check`, id)))
		}
		run(t, ctx, "bulk assign to Bo",
			check(a.ID), check(b.ID),
			chromedp.WaitVisible(chromedp.CSS(`.bulk-bar`)),
			chromedp.Click(chromedp.CSS(`.bulk-bar .popover > button[aria-label="Assign"]`)),
			chromedp.Click(xpathText("div[contains(@class,'bulk-bar')]//button[contains(@class,'menu-item')]", "Bo Chen")),
			chromedp.WaitNotPresent(chromedp.CSS(`.bulk-bar`)),
			navCount("mine", 0),
		)
		for _, id := range []int64{a.ID, b.ID} {
			var cur parley.Conversation
			n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d", id), nil, &cur)
			if cur.AssigneeID == nil || *cur.AssigneeID != bo.ID {
				t.Fatalf("ticket %d assignee %v after bulk assign to Bo (%d)", id, cur.AssigneeID, bo.ID)
			}
		}
		run(t, ctx, "bulk tag",
			check(b.ID), check(c.ID),
			chromedp.WaitVisible(chromedp.CSS(`.bulk-bar`)),
			chromedp.Click(chromedp.CSS(`.bulk-bar .popover > button[aria-label="Tag"]`)),
			chromedp.SendKeys(chromedp.CSS(`.bulk-bar form input`), "vip"),
			chromedp.Click(chromedp.CSS(`.bulk-bar form .btn.primary`)),
			chromedp.WaitNotPresent(chromedp.CSS(`.bulk-bar`)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.conv-row[data-conversation="%d"] .tag`, c.ID))),
		)
		for _, id := range []int64{b.ID, c.ID} {
			var cur parley.Conversation
			n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d", id), nil, &cur)
			if !hasTag(cur.Tags, "vip") {
				t.Fatalf("ticket %d tags %v after bulk tag vip", id, cur.Tags)
			}
		}
		var untouched parley.Conversation
		n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d", a.ID), nil, &untouched)
		if hasTag(untouched.Tags, "vip") {
			t.Fatal("bulk tag reached a ticket that was not selected")
		}
	})
}

func hasTag(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
