package app

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/channel/email/mailtest"
)

// oneChannel is a channel list holding one e-mail channel.
type oneChannel struct {
	parley.ChannelService
	ch *parley.Channel
}

func (o oneChannel) FindChannels(context.Context) ([]*parley.Channel, error) {
	return []*parley.Channel{o.ch}, nil
}

// pollWatch records which node's poller runs and what each published.
type pollWatch struct {
	mu        sync.Mutex
	running   map[string]int
	overlap   bool
	published map[string][]string // node → Message-IDs
}

func (w *pollWatch) publisher(node string) parley.InboundPublisher {
	return publishFunc(func(_ context.Context, events []*parley.InboundEvent, _ []byte, _ time.Time) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, ev := range events {
			w.published[node] = append(w.published[node], ev.ExternalID)
		}
		return nil
	})
}

type publishFunc func(ctx context.Context, events []*parley.InboundEvent, raw []byte, at time.Time) error

func (f publishFunc) PublishInbound(ctx context.Context, events []*parley.InboundEvent, raw []byte, at time.Time) error {
	return f(ctx, events, raw, at)
}

// watchedLease runs the job through the real bus lease and records it.
type watchedLease struct {
	b    *bus.Bus
	node string
	w    *pollWatch
}

func (l watchedLease) RunExclusive(ctx context.Context, name string, job func(context.Context)) error {
	return l.b.RunExclusive(ctx, name, func(ctx context.Context) {
		l.w.mu.Lock()
		for _, n := range l.w.running {
			l.w.overlap = l.w.overlap || n > 0
		}
		l.w.running[l.node]++
		l.w.mu.Unlock()
		defer func() { l.w.mu.Lock(); l.w.running[l.node]--; l.w.mu.Unlock() }()
		job(ctx)
	})
}

func (w *pollWatch) holder() (string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var who string
	n := 0
	for node, r := range w.running {
		if r > 0 {
			who, n = node, n+r
		}
	}
	return who, n
}

func (w *pollWatch) publishedBy(node, id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, x := range w.published[node] {
		if x == id {
			return true
		}
	}
	return false
}

// TestMailboxPolledByOneNode: two nodes on one NATS with the same e-mail
// channel; only the lease holder polls the mailbox, and when it stops the
// other one takes over and fetches the mail that arrives next.
func TestMailboxPolledByOneNode(t *testing.T) {
	dovecot := mailtest.StartDovecot(t, nil, "")
	ch := &parley.Channel{ID: 5, Platform: parley.PlatformEmail, Status: parley.ChannelActive,
		Config: map[string]string{"from_address": "support@example.com", "imap_host": "127.0.0.1",
			"imap_port": strconv.Itoa(dovecot.Port), "imap_tls": "none", "imap_username": dovecot.User},
		Secrets: map[string]string{"imap_password": dovecot.Password}}
	url, prefix := bustest.SharedURL(t), bustest.UniquePrefix(t)
	w := &pollWatch{running: map[string]int{}, published: map[string][]string{}}
	stops := map[string]func(){}
	for _, node := range []string{"a", "b"} {
		b := bustest.MustOpen(t, bus.Config{URL: url, Prefix: prefix, NodeID: node, LeaseTTL: 2 * time.Second})
		t.Cleanup(func() { deleteStreamsOf(b, url) })
		m := &mailboxes{store: oneChannel{ch: ch}, inbound: w.publisher(node), every: 200 * time.Millisecond,
			logger: slog.New(slog.NewTextHandler(io.Discard, nil)), lease: watchedLease{b: b, node: node, w: w}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); m.run(ctx) }()
		stops[node] = sync.OnceFunc(func() { cancel(); <-done })
		t.Cleanup(stops[node])
	}
	var first string
	waitUntil(t, "a node polls", func() bool { first, _ = w.holder(); return first != "" })
	dovecot.Deliver(t, []byte("From: ana@example.net\r\nTo: support@example.com\r\nSubject: one\r\nMessage-ID: <one@example.net>\r\n\r\nhello\r\n"))
	waitUntil(t, "the holder fetches the first mail", func() bool { return w.publishedBy(first, "one@example.net") })
	for range 3 { // several renewals and reconcile rounds: still one poller
		time.Sleep(time.Second)
		if who, n := w.holder(); who != first || n != 1 {
			t.Fatalf("pollers running: %d (holder %q), want only %q", n, who, first)
		}
	}
	stops[first]()
	second := map[string]string{"a": "b", "b": "a"}[first]
	waitUntil(t, "the other node takes over", func() bool { who, _ := w.holder(); return who == second })
	dovecot.Deliver(t, []byte("From: ana@example.net\r\nTo: support@example.com\r\nSubject: two\r\nMessage-ID: <two@example.net>\r\n\r\nagain\r\n"))
	waitUntil(t, "the new holder fetches the next mail", func() bool { return w.publishedBy(second, "two@example.net") })
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.overlap {
		t.Error("two nodes polled the mailbox at once")
	}
	if len(w.published[second]) == 0 || len(w.published[first]) != 1 {
		t.Errorf("published: %v", w.published)
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// deleteStreamsOf removes a test bus's streams from the shared server.
func deleteStreamsOf(b *bus.Bus, url string) {
	nc, err := nats.Connect(url)
	if err != nil {
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, name := range b.StreamNames() {
		_ = js.DeleteStream(ctx, name)
	}
}
