package pipeline_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/store"
)

// MustOpenStore opens a fresh SQLite store.
func MustOpenStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), store.Config{DSN: filepath.Join(tb.TempDir(), "p.db"), SecretKey: make([]byte, 32)})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// MustCreateChannel creates an active API channel.
func MustCreateChannel(tb testing.TB, st *store.Store) *parley.Channel {
	tb.Helper()
	ch := &parley.Channel{Platform: parley.PlatformAPI, Name: "api", Status: parley.ChannelActive,
		Config: map[string]string{"rate_per_second": "1000"}}
	if err := st.CreateChannel(context.Background(), ch); err != nil {
		tb.Fatalf("create channel: %v", err)
	}
	return ch
}

// inboundText is the seq-th message of a customer on ch.
func inboundText(ch *parley.Channel, customer string, seq int) *parley.InboundEvent {
	return &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: ch.ID, Platform: ch.Platform,
		ExternalID: fmt.Sprintf("%s-%d", customer, seq),
		Sender:     parley.Sender{Kind: parley.IdentityExternal, ID: customer, Name: "Customer " + customer},
		Direction:  parley.DirectionIn, Timestamp: time.Now().UTC(), Text: fmt.Sprint("hello ", seq),
	}
}

// MustConversation makes a customer write once and returns their ticket.
func MustConversation(tb testing.TB, st *store.Store, ch *parley.Channel, customer string) *parley.Conversation {
	tb.Helper()
	res, err := st.Ingest(context.Background(), []*parley.InboundEvent{inboundText(ch, customer, 0)})
	if err != nil || len(res) != 1 || res[0].Conversation == nil {
		tb.Fatalf("ingest: %v %+v", err, res)
	}
	return res[0].Conversation
}

// MustQueueReply stores an agent's reply (status queued).
func MustQueueReply(tb testing.TB, st *store.Store, conv *parley.Conversation, body string) *parley.Message {
	tb.Helper()
	m := &parley.Message{ConversationID: conv.ID, Direction: parley.DirectionOut, Kind: parley.KindText, Body: body}
	if err := st.CreateMessage(context.Background(), m); err != nil {
		tb.Fatalf("create message: %v", err)
	}
	return m
}

// MustMessage reloads a message.
func MustMessage(tb testing.TB, st *store.Store, id int64) *parley.Message {
	tb.Helper()
	m, err := st.FindMessageByID(context.Background(), id)
	if err != nil {
		tb.Fatalf("find message %d: %v", id, err)
	}
	return m
}

// step is one scripted answer of the test adapter.
type step struct {
	err   error
	delay time.Duration
}

// scriptedAdapter is a channel adapter whose Send answers are scripted per
// call; after the script it succeeds. It records every send.
type scriptedAdapter struct {
	mu     sync.Mutex
	script []step
	sends  []sendCall
	caps   *parley.Capabilities // default: a 1000-rune limit, no splitting
}

type sendCall struct {
	messageID int64
	recipient string
	body      string
	at        time.Time
}

func (a *scriptedAdapter) Platform() parley.Platform { return parley.PlatformAPI }
func (a *scriptedAdapter) Capabilities() parley.Capabilities {
	if a.caps != nil {
		return *a.caps
	}
	return parley.Capabilities{TextLimit: 1000}
}
func (a *scriptedAdapter) VerifyWebhook(*http.Request, []byte) error           { return nil }
func (a *scriptedAdapter) ParseWebhook([]byte) ([]*parley.InboundEvent, error) { return nil, nil }

func (a *scriptedAdapter) Send(ctx context.Context, m parley.OutboundMessage) (parley.SendResult, error) {
	a.mu.Lock()
	var s step
	if len(a.script) > 0 {
		s, a.script = a.script[0], a.script[1:]
	}
	recipient := ""
	if m.Recipient != nil {
		recipient = m.Recipient.Value
	}
	a.sends = append(a.sends, sendCall{messageID: m.Message.ID, recipient: recipient, body: m.Message.Body, at: time.Now()})
	n := len(a.sends)
	a.mu.Unlock()
	time.Sleep(s.delay)
	if s.err != nil {
		return parley.SendResult{}, s.err
	}
	return parley.SendResult{ExternalID: fmt.Sprintf("ext-%d-%d", m.Message.ID, n), Status: parley.MessageSent}, nil
}

func (a *scriptedAdapter) sendsOf(id int64) []sendCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []sendCall
	for _, s := range a.sends {
		if s.messageID == id {
			out = append(out, s)
		}
	}
	return out
}

// registry serves the scripted adapter for API channels.
func registry(a *scriptedAdapter) *channel.Registry {
	r := channel.NewRegistry()
	r.Register(parley.PlatformAPI, func(*parley.Channel) (parley.Adapter, error) { return a, nil })
	return r
}

// eventLog collects the domain events a bus delivers.
type eventLog struct {
	mu     sync.Mutex
	events []*parley.Event
}

func MustSubscribe(tb testing.TB, b *bus.Bus) *eventLog {
	tb.Helper()
	l := &eventLog{}
	if err := b.SubscribeEvents(tb.Context(), func(e *parley.Event) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.events = append(l.events, e)
	}); err != nil {
		tb.Fatal(err)
	}
	return l
}

func (l *eventLog) ofType(t parley.EventType) []*parley.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*parley.Event
	for _, e := range l.events {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openBus opens an embedded bus.
func openBus(tb testing.TB) *bus.Bus {
	tb.Helper()
	return bustest.MustOpen(tb, bus.Config{DataDir: tb.TempDir()})
}

// fixedClock is a clock tests move by hand.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// counterValue reads a Prometheus counter.
func counterValue(tb testing.TB, c prometheus.Counter) float64 {
	tb.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		tb.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func parleyNow() time.Time { return parley.SystemClock{}.Now() }
