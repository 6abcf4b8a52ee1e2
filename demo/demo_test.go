package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
	"github.com/parleyhq/parley/demo"
)

// node is a running Parley and an admin's API client.
type node struct {
	app    *app.App
	base   string
	client *http.Client
}

func mustStartNode(tb testing.TB) *node {
	tb.Helper()
	cfg, err := app.Load(flag.NewFlagSet("demo", flag.ContinueOnError), []string{"--addr", "127.0.0.1:0",
		"--data-dir", tb.TempDir(), "--admin-email", "ana@example.com", "--admin-password", "correct-horse-battery"})
	if err != nil {
		tb.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		a.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Shutdown(ctx)
	})
	jar, _ := cookiejar.New(nil)
	n := &node{app: a, base: "http://" + a.Addr(), client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	n.do(tb, "POST", "/api/v1/auth/login", map[string]string{"email": "ana@example.com", "password": "correct-horse-battery"}, &parley.Agent{})
	return n
}

func (n *node) do(tb testing.TB, method, path string, body, out any) {
	tb.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, n.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", n.base)
	resp, err := n.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		tb.Fatalf("%s %s = %d: %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatal(err)
		}
	}
}

func waitFor(tb testing.TB, what string, ok func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (n *node) tickets(tb testing.TB, ch *parley.Channel) []*parley.Conversation {
	var page struct{ Items []*parley.Conversation }
	n.do(tb, "GET", fmt.Sprintf("/api/v1/conversations?channel_id=%d&limit=200", ch.ID), nil, &page)
	return page.Items
}

func (n *node) thread(tb testing.TB, convID int64) []*parley.Message {
	var page struct{ Items []*parley.Message }
	n.do(tb, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages?limit=200", convID), nil, &page)
	return page.Items
}

func mustStartDemo(tb testing.TB, n *node) *demo.Demo {
	tb.Helper()
	d, err := demo.Start(context.Background(), demo.Config{BaseURL: n.base, Store: n.app.Store,
		Logger: slog.New(slog.DiscardHandler), Every: 100 * time.Millisecond, ReplyDelay: 50 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestDemoCustomersWriteEverywhereAndAnswerAgents: with demo mode on,
// tickets arrive on all four channels, and a customer answers an agent's
// reply in the same ticket, in a direct message and under a comment.
func TestDemoCustomersWriteEverywhereAndAnswerAgents(t *testing.T) {
	n := mustStartNode(t)
	d := mustStartDemo(t, n)
	defer d.Stop()
	platforms := []parley.Platform{parley.PlatformMessenger, parley.PlatformFacebookComments, parley.PlatformInstagram, parley.PlatformWhatsApp}
	for _, p := range platforms {
		waitFor(t, "a ticket on the demo "+string(p)+" channel", func() bool { return len(n.tickets(t, d.Channel(p))) > 0 })
	}
	for _, p := range []parley.Platform{parley.PlatformMessenger, parley.PlatformFacebookComments, parley.PlatformWhatsApp} {
		t.Run(string(p)+" customer answers the agent", func(t *testing.T) {
			conv := n.tickets(t, d.Channel(p))[0]
			before := len(n.thread(t, conv.ID))
			var sent parley.Message
			n.do(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]any{"body": "Let me check that for you."}, &sent)
			waitFor(t, "the customer's answer in the same ticket", func() bool {
				msgs := n.thread(t, conv.ID)
				last := msgs[len(msgs)-1]
				// An answer, not the same customer opening again (which repeats
				// their first line).
				return len(msgs) >= before+2 && last.Direction == parley.DirectionIn && last.ID > sent.ID && last.Body != msgs[0].Body
			})
		})
	}
}

// TestDemoRestartReusesItsChannels: a second start points the same four
// channels at the new fake instead of adding more.
func TestDemoRestartReusesItsChannels(t *testing.T) {
	n := mustStartNode(t)
	first := mustStartDemo(t, n)
	ids := map[int64]bool{}
	for _, p := range []parley.Platform{parley.PlatformMessenger, parley.PlatformWhatsApp} {
		ids[first.Channel(p).ID] = true
	}
	first.Stop()
	second := mustStartDemo(t, n)
	defer second.Stop()
	var page struct{ Items []*parley.Channel }
	n.do(t, "GET", "/api/v1/channels", nil, &page)
	if len(page.Items) != 4 {
		t.Fatalf("%d channels after a restart, want 4", len(page.Items))
	}
	if !ids[second.Channel(parley.PlatformWhatsApp).ID] {
		t.Error("the WhatsApp channel was recreated")
	}
	if first.Channel(parley.PlatformMessenger).Config["graph_base_url"] == second.Channel(parley.PlatformMessenger).Config["graph_base_url"] {
		t.Error("the channel still points at the stopped fake")
	}
	waitFor(t, "a ticket after the restart", func() bool { return len(n.tickets(t, second.Channel(parley.PlatformMessenger))) > 0 })
}
