package widget_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/widget"
	"github.com/parleyhq/parley/pipeline"
	"github.com/parleyhq/parley/store"
)

// TestTwoNodes: the visitor's socket is on node B; the inbound processor
// and the outbound sender run on node A. Messages cross both ways over the
// shared NATS server, and A knows the visitor is on the page.
func TestTwoNodes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, store.Config{DSN: filepath.Join(t.TempDir(), "p.db"), SecretKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	url, prefix := bustest.MustRunServer(t), bustest.UniquePrefix(t)
	busA := bustest.MustOpen(t, bus.Config{URL: url, Prefix: prefix, NodeID: "a"})
	busB := bustest.MustOpen(t, bus.Config{URL: url, Prefix: prefix, NodeID: "b"})
	quiet := slog.New(slog.DiscardHandler)
	mustHandler := func(b *bus.Bus, adapters parley.AdapterSource) *widget.Handler {
		h, err := widget.NewHandler(widget.Config{Store: st, Inbound: b, Events: b, Presence: b, Adapters: adapters, Logger: quiet, Limits: roomy})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(h.Close)
		return h
	}
	adapters := channel.NewRegistry()
	hA := mustHandler(busA, adapters)
	adapters.Register(parley.PlatformWidget, hA.NewAdapter)
	proc := &pipeline.Processor{Store: st, Events: busA, Logger: quiet}
	send := &pipeline.Sender{Store: st, Adapters: adapters, Events: busA, Outbound: busA, Logger: quiet}
	if err := busA.ConsumeInbound(ctx, 64, proc.Handle); err != nil {
		t.Fatal(err)
	}
	if err := busA.ConsumeOutbound(ctx, send.Handle); err != nil {
		t.Fatal(err)
	}
	hB := mustHandler(busB, nil)
	srvB := httptest.NewServer(hB)
	defer srvB.Close()

	agent := &parley.Agent{Email: "bo@example.com", Name: "Bo", Role: parley.RoleAgent, Active: true}
	if err := st.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	e := &env{Store: st, Bus: busA, Handler: hB, Server: srvB, Channel: MustWidgetChannel(t, st, nil), Agent: agent}
	s := e.MustSession(t, e.Channel, nil)
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	echo := v.MustSay(t, "two-nodes-1", "hello node B")
	conv, err := st.FindConversationByID(ctx, echo.Message.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	r := e.MustReply(t, conv.ID, "hello from node A")
	got := v.MustFrame(t, "reply sent on node A", func(f frame) bool { return f.Type == "message" && f.Message.ID == r.ID })
	if got.Message.Author != "Bo" {
		t.Errorf("author %q", got.Message.Author)
	}
	eventually(t, "node A sees the visitor on the page", func() bool { return hA.VisitorOnline(conv.ContactID, e.Channel.ID) })
}
