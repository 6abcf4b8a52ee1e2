package meta_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/meta"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
)

// TestDemoEndToEnd wires all four adapters to a fake set up for a demo:
// customers write on every platform, agents answer through the adapters,
// and the fake reports delivery and read back.
func TestDemoEndToEnd(t *testing.T) {
	f := faketest.MustStart(t, fake.Config{AppSecret: "demo-secret", AutoReceipts: true})
	d := f.SetupDemo()
	r := channel.NewRegistry()
	meta.Register(r)
	adapters := map[parley.Platform]parley.Adapter{}
	for i, p := range []parley.Platform{parley.PlatformMessenger, parley.PlatformFacebookComments, parley.PlatformInstagram, parley.PlatformWhatsApp} {
		cfg, sec := f.Channel(d, p)
		a, err := r.Adapter(&parley.Channel{ID: int64(i + 1), Platform: p, Config: cfg, Secrets: sec})
		if err != nil {
			t.Fatal(err)
		}
		adapters[p] = a
	}
	var mu sync.Mutex
	events := map[parley.Platform][]*parley.InboundEvent{}
	hook := func(platforms ...parley.Platform) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, _ := io.ReadAll(req.Body)
			for _, p := range platforms {
				a := adapters[p]
				if err := a.VerifyWebhook(req, body); err != nil {
					http.Error(w, err.Error(), http.StatusUnauthorized)
					return
				}
				evs, err := a.ParseWebhook(body)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				mu.Lock()
				events[p] = append(events[p], evs...)
				mu.Unlock()
			}
		})
	}
	mux := http.NewServeMux()
	mux.Handle("/page", hook(parley.PlatformMessenger, parley.PlatformFacebookComments))
	mux.Handle("/instagram", hook(parley.PlatformInstagram))
	mux.Handle("/whatsapp", hook(parley.PlatformWhatsApp))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f.SetWebhookURL(d.PageID, srv.URL+"/page")
	f.SetWebhookURL(d.InstagramID, srv.URL+"/instagram")
	f.SetWebhookURL(d.PhoneNumberID, srv.URL+"/whatsapp")

	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, evs := range events {
			n += len(evs)
		}
		return n
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	done := make(chan error, 1)
	go func() { done <- f.PlayDemo(ctx, d, time.Millisecond) }()
	// replyable is the first event of a platform an agent can answer the
	// way this test does: a direct message (Instagram's hook also carries
	// comments, whose authors cannot be messaged directly), or a comment
	// on the comments channel.
	replyable := func(p parley.Platform) *parley.InboundEvent {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range events[p] {
			if e.Kind == parley.InboundMessage && e.Text != "" && (p == parley.PlatformFacebookComments || e.ThreadKey == "") {
				return e
			}
		}
		return nil
	}
	platforms := []parley.Platform{parley.PlatformMessenger, parley.PlatformFacebookComments, parley.PlatformInstagram, parley.PlatformWhatsApp}
	ready := func() bool {
		for _, p := range platforms {
			if replyable(p) == nil {
				return false
			}
		}
		return count() >= 6
	}
	for !ready() && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("PlayDemo: %v", err)
	}

	for _, p := range platforms {
		in := replyable(p)
		if in == nil || in.Kind != parley.InboundMessage || in.Text == "" {
			t.Fatalf("%s: first event %+v", p, in)
		}
		at := in.Timestamp
		out := parley.OutboundMessage{
			Conversation: &parley.Conversation{ThreadKey: in.ThreadKey, LastInboundAt: &at},
			Recipient:    &parley.Identity{Value: in.Sender.ID},
			Message:      &parley.Message{Kind: parley.KindText, Body: "Thanks, looking into it!"},
		}
		res, err := adapters[p].Send(t.Context(), out)
		if err != nil || res.ExternalID == "" {
			t.Fatalf("%s: reply to %+v: %+v %v", p, in, res, err)
		}
	}
	f.Flush()
	mu.Lock()
	defer mu.Unlock()
	for _, p := range []parley.Platform{parley.PlatformMessenger, parley.PlatformInstagram, parley.PlatformWhatsApp} {
		read := false
		for _, e := range events[p] {
			read = read || (e.Kind == parley.InboundReceipt && e.Status == parley.MessageRead)
		}
		if !read {
			t.Errorf("%s: no read receipt came back", p)
		}
	}
}
