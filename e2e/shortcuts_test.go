package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// atTicket waits until the ticket is open and the screen's effects (which
// register the shortcuts for the new position) have run: Preact runs them
// after the next frame.
func atTicket(id int64) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		until(fmt.Sprintf(`location.pathname === '/inbox/all/%d' && !!document.querySelector('.conv-head') && !!document.querySelector('.conv-row.open[data-conversation="%d"]')`, id, id)),
		afterEffects,
	)
}

// afterEffects waits two frames and a task, after which Preact's pending effects have run.
var afterEffects = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := chromedp.Evaluate[bool](`new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true)))))`, chromedp.EvalAwaitPromise)(ctx, t)
	return err
})

// blurField leaves no field focused, as when the agent clicks on the page.
var blurField = eval(`document.activeElement && document.activeElement.blur()`)

// TestKeyboardShortcuts drives the workspace from the keyboard alone: j/k
// move through the list, r and n focus the reply or note box, e resolves, a
// opens assignment, / goes to search and ? opens the help.
func TestKeyboardShortcuts(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	n.MustPostInbound(t, []InboundMessage{
		{ID: "k-1", Contact: contact("k-a", "Amara Okafor", "amara@example.com"), Text: "First question", Timestamp: ago(30 * time.Minute)},
		{ID: "k-2", Contact: contact("k-b", "Ben Carter", "ben@example.com"), Text: "Second question", Timestamp: ago(20 * time.Minute)},
		{ID: "k-3", Contact: contact("k-c", "Chloe Martin", "chloe@example.com"), Text: "Third question", Timestamp: ago(10 * time.Minute)},
	}, nil)
	convs := n.MustWaitConversations(t, 3)
	first, second := findByContact(t, convs, "Chloe Martin"), findByContact(t, convs, "Ben Carter") // newest first

	ctx := MustBrowser(t, 1280, 720)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	run(t, ctx, "inbox",
		chromedp.Navigate(n.Base+"/inbox/all"),
		until(`document.querySelectorAll('.conv-list .conv-row').length === 3`),
		eval(`localStorage.setItem('parley.filters', '{}')`),
		blurField,
	)

	t.Run("j_and_k_move", func(t *testing.T) {
		run(t, ctx, "j opens the first", chromedp.KeyEvent("j"), atTicket(first.ID), blurField)
		run(t, ctx, "j moves down", chromedp.KeyEvent("j"), atTicket(second.ID), blurField)
		run(t, ctx, "k moves up", chromedp.KeyEvent("k"), atTicket(first.ID), blurField)
	})

	t.Run("r_focuses_reply", func(t *testing.T) {
		run(t, ctx, "r",
			chromedp.KeyEvent("r"),
			until(`document.activeElement.id === 'composer-text' && !document.querySelector('.composer.note-mode')`),
		)
		// Keys typed in the box are text, not shortcuts. (The DevTools key
		// events deliver r's character separately from its keydown, so the
		// box is emptied first.)
		run(t, ctx, "typing j in the box", setComposer(""), chromedp.KeyEvent("j"), until(`document.querySelector('#composer-text').value === 'j'`))
		run(t, ctx, "clear and leave the box", setComposer(""), chromedp.KeyEvent("\x1b"), until(`document.activeElement.id !== 'composer-text'`))
		if loc := get(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, fmt.Sprintf("/inbox/all/%d", first.ID)) {
			t.Fatalf("typing j in the reply box moved to %s", loc)
		}
	})

	t.Run("n_switches_to_note", func(t *testing.T) {
		run(t, ctx, "n",
			chromedp.KeyEvent("n"),
			chromedp.WaitVisible(chromedp.CSS(`.composer.note-mode`)),
			until(`document.activeElement.id === 'composer-text'`),
			setComposer(""),
			chromedp.KeyEvent("\x1b"),
			until(`document.activeElement.id !== 'composer-text'`),
		)
	})

	t.Run("e_resolves", func(t *testing.T) {
		run(t, ctx, "e", chromedp.KeyEvent("e"), chromedp.WaitVisible(chromedp.CSS(`.conv-sub .status-resolved`)))
		deadline := time.Now().Add(30 * time.Second)
		for {
			var c parley.Conversation
			n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d", first.ID), nil, &c)
			if c.Status == parley.StatusResolved {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("status %s after e", c.Status)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("a_opens_assign", func(t *testing.T) {
		run(t, ctx, "a", blurField, chromedp.KeyEvent("a"), chromedp.WaitVisible(chromedp.CSS(`.assign-menu`)))
		run(t, ctx, "Escape closes it", chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS(`.assign-menu`)), blurField)
	})

	t.Run("question_mark_opens_help", func(t *testing.T) {
		run(t, ctx, "?", chromedp.KeyEvent("?"), chromedp.WaitVisible(chromedp.CSS(`.modal .keys`)),
			chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS(`.modal`)), blurField)
	})

	t.Run("slash_focuses_search", func(t *testing.T) {
		run(t, ctx, "/ from the inbox",
			chromedp.KeyEvent("/"),
			until(`location.pathname === '/search'`),
			until(`document.activeElement.id === 'search-input'`),
		)
		run(t, ctx, "/ on the search page", blurField, until(`document.activeElement.id !== 'search-input'`),
			chromedp.KeyEvent("/"), until(`document.activeElement.id === 'search-input'`))
	})
}
