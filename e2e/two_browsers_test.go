package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// holdEvents lets a test hold the live events a page receives (as when they
// are still on the wire) and counts the status of every ticket update it
// sends. The socket itself stays real, so presence still flows.
const holdEvents = `(() => {
  const Real = window.WebSocket;
  window.__hold = false; window.__held = []; window.__patches = [];
  window.WebSocket = class extends Real {
    set onmessage(f) { super.onmessage = (m) => { if (window.__hold) window.__held.push(() => f.call(this, m)); else f.call(this, m); }; }
    get onmessage() { return super.onmessage; }
  };
  window.__release = () => { window.__hold = false; const q = window.__held; window.__held = []; q.forEach((g) => g()); };
  const realFetch = window.fetch;
  window.fetch = async (input, init) => {
    const r = await realFetch(input, init);
    if (init && init.method === 'PATCH' && String(input).includes('/conversations/')) window.__patches.push(r.status);
    return r;
  };
})()`

// TestTwoAgentsSameTicket puts two agents, each in their own browser, on one
// ticket: each sees the other viewing and typing; both change it, and the
// one whose write is based on an old version is refused and told what changed.
func TestTwoAgentsSameTicket(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	n.MustPostInbound(t, []InboundMessage{{ID: "two-1", Contact: contact("two", "Priya Shah", "priya@example.com"), Text: "My invoice is wrong", Timestamp: ago(5 * time.Minute)}}, nil)
	conv := n.MustWaitConversations(t, 1)[0]
	ticket := fmt.Sprintf("%s/inbox/all/%d", n.Base, conv.ID)

	ana := MustBrowser(t, 1280, 720)
	bo := MustBrowser(t, 1280, 720)
	run(t, bo, "instrument Bo's page", chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: holdEvents})
		return err
	}))
	signIn(t, ana, n.Base, adminEmail, adminPassword)
	signIn(t, bo, n.Base, "bo@example.com", "bo-password-1")
	for _, b := range []context.Context{ana, bo} {
		run(t, b, "open the ticket", chromedp.Navigate(ticket), chromedp.WaitVisible(chromedp.CSS(`#composer-text`)), chromedp.WaitVisible(chromedp.CSS(`.live-dot.on`)))
	}

	t.Run("each_sees_the_other_viewing_and_typing", func(t *testing.T) {
		run(t, ana, "Ana sees Bo", chromedp.WaitVisible(xpathText("span[contains(@class,'viewers')]", "Bo Chen")))
		run(t, bo, "Bo sees Ana", chromedp.WaitVisible(xpathText("span[contains(@class,'viewers')]", "Ana Souza")))
		run(t, bo, "Bo types", chromedp.SendKeys(chromedp.CSS(`#composer-text`), "Checking the invoice"))
		run(t, ana, "Ana sees Bo typing", chromedp.WaitVisible(xpathText("span[contains(@class,'viewers') and contains(@class,'typing')]", "Bo Chen")))
		run(t, ana, "Ana types", chromedp.SendKeys(chromedp.CSS(`#composer-text`), "I have it"))
		run(t, bo, "Bo sees Ana typing", chromedp.WaitVisible(xpathText("span[contains(@class,'viewers') and contains(@class,'typing')]", "Ana Souza")))
	})

	t.Run("stale_write_is_refused_and_explained", func(t *testing.T) {
		// Ana's change is still on its way to Bo when Bo acts.
		run(t, bo, "hold Bo's events", eval(`window.__hold = true`))
		run(t, ana, "Ana makes it urgent",
			chromedp.Click(chromedp.CSS(`.conv-head button[aria-label="Priority"]`)),
			chromedp.Click(`//button[@role='menuitemradio'][contains(normalize-space(.),'Urgent')]`),
			chromedp.WaitVisible(chromedp.CSS(`.conv-head .priority.p3`)),
		)
		var cur parley.Conversation
		n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), nil, &cur)
		if cur.Priority != parley.PriorityUrgent {
			t.Fatalf("priority %d after Ana made it urgent", cur.Priority)
		}
		run(t, bo, "Bo resolves on the old version",
			chromedp.Click(chromedp.CSS(`.conv-actions .btn.primary`)),
			chromedp.WaitVisible(chromedp.CSS(`.stale`)),
			chromedp.WaitVisible(xpathText("div[contains(@class,'stale')]", "Urgent")),
		)
		screenshot(t, bo, "two-agents-stale")
		if got := get(t, bo, "update statuses", chromedp.Evaluate[[]int](`window.__patches`)); len(got) != 1 || got[0] != 409 {
			t.Fatalf("Bo's ticket updates answered %v, want one 409", got)
		}
		n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), nil, &cur)
		if cur.Status != parley.StatusOpen || cur.Priority != parley.PriorityUrgent {
			t.Fatalf("after the refused write: status %s priority %d; want Ana's version untouched", cur.Status, cur.Priority)
		}
		run(t, bo, "Bo's header shows Ana's change", eval(`window.__release()`), chromedp.WaitVisible(chromedp.CSS(`.conv-head .priority.p3`)))
	})

	t.Run("applying_anyway_keeps_both_changes", func(t *testing.T) {
		run(t, bo, "apply",
			chromedp.Click(chromedp.CSS(`.stale .btn.primary`)),
			chromedp.WaitNotPresent(chromedp.CSS(`.stale`)),
			chromedp.WaitVisible(chromedp.CSS(`.conv-sub .status-resolved`)),
		)
		run(t, ana, "Ana sees it resolved live", chromedp.WaitVisible(chromedp.CSS(`.conv-sub .status-resolved`)))
		var cur parley.Conversation
		n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), nil, &cur)
		if cur.Status != parley.StatusResolved || cur.Priority != parley.PriorityUrgent {
			t.Fatalf("after applying: status %s priority %d; want resolved and urgent", cur.Status, cur.Priority)
		}
	})
}
