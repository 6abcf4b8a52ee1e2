package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/channel/api"
)

// memoryStore holds what the Dispatcher looks up, and can fail a number of
// lookups with a transient error first.
type memoryStore struct {
	mu            sync.Mutex
	channels      map[int64]*parley.Channel
	conversations map[int64]*parley.Conversation
	contacts      map[int64]*parley.Contact
	failures      int
}

func (s *memoryStore) fail() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures > 0 {
		s.failures--
		return parley.Errorf(parley.EUNAVAILABLE, "database restarting")
	}
	return nil
}

func (s *memoryStore) FindChannelByID(_ context.Context, id int64) (*parley.Channel, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	if ch, ok := s.channels[id]; ok {
		return ch, nil
	}
	return nil, parley.Errorf(parley.ENOTFOUND, "channel %d not found", id)
}

func (s *memoryStore) FindConversationByID(_ context.Context, id int64) (*parley.Conversation, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	if c, ok := s.conversations[id]; ok {
		return c, nil
	}
	return nil, parley.Errorf(parley.ENOTFOUND, "conversation %d not found", id)
}

func (s *memoryStore) FindContactByID(_ context.Context, id int64) (*parley.Contact, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	if c, ok := s.contacts[id]; ok {
		return c, nil
	}
	return nil, parley.Errorf(parley.ENOTFOUND, "contact %d not found", id)
}

// redeliveringConsumer is an in-process parley.EventConsumer with the bus's
// contract: an event whose handler fails comes back (after a short backoff)
// until the handler succeeds.
type redeliveringConsumer struct {
	queue   chan *parley.Event
	mu      sync.Mutex
	durable string
	acked   []*parley.Event
	tries   int
}

func newRedeliveringConsumer() *redeliveringConsumer {
	return &redeliveringConsumer{queue: make(chan *parley.Event, 16)}
}

func (c *redeliveringConsumer) ConsumeEvents(ctx context.Context, durable string, handle func(context.Context, *parley.Event) error) error {
	c.durable = durable
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-c.queue:
				c.deliver(ctx, e, handle)
			}
		}
	}()
	return nil
}

func (c *redeliveringConsumer) deliver(ctx context.Context, e *parley.Event, handle func(context.Context, *parley.Event) error) {
	for backoff := time.Millisecond; ctx.Err() == nil; backoff *= 2 {
		c.mu.Lock()
		c.tries++
		c.mu.Unlock()
		if handle(ctx, e) == nil {
			c.mu.Lock()
			c.acked = append(c.acked, e)
			c.mu.Unlock()
			return
		}
		time.Sleep(backoff)
	}
}

func (c *redeliveringConsumer) ackedCount() (acked, tries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.acked), c.tries
}

// waitFor polls cond until it holds or the test's patience runs out.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// dispatchFixture is an API channel with one conversation and contact, and
// a second channel of another platform.
type dispatchFixture struct {
	store   *memoryStore
	conv    *parley.Conversation
	contact *parley.Contact
	reply   *parley.Message
}

func newDispatchFixture(webhookURL string) *dispatchFixture {
	ch := NewTestChannel(5, webhookURL)
	quiet := NewTestChannel(6, "")
	contact := &parley.Contact{ID: 9, Name: "Ana", Identities: []*parley.Identity{
		{Kind: parley.IdentityEmail, Value: "ana@example.com"},
		{Kind: parley.IdentityExternal, ScopeChannelID: 6, Value: "other-channel-id"},
		{Kind: parley.IdentityExternal, ScopeChannelID: 5, Value: "cust-42"},
	}}
	conv := &parley.Conversation{ID: 70, Number: 1042, ChannelID: 5, Platform: parley.PlatformAPI, ContactID: 9, Status: parley.StatusResolved, Version: 4}
	quietConv := &parley.Conversation{ID: 71, Number: 1043, ChannelID: 6, Platform: parley.PlatformAPI, ContactID: 9, Status: parley.StatusOpen}
	return &dispatchFixture{
		store: &memoryStore{
			channels:      map[int64]*parley.Channel{5: ch, 6: quiet},
			conversations: map[int64]*parley.Conversation{70: conv, 71: quietConv},
			contacts:      map[int64]*parley.Contact{9: contact},
		},
		conv: conv, contact: contact,
		reply: &parley.Message{ID: 501, ConversationID: 70, ChannelID: 5, Platform: parley.PlatformAPI, Direction: parley.DirectionOut,
			Status: parley.MessageFailed, FailureReason: "contact unsubscribed"},
	}
}

func startDispatcher(t *testing.T, f *dispatchFixture, events parley.EventConsumer) {
	t.Helper()
	d := &api.Dispatcher{Events: events, Store: f.store, Clock: fixedClock{testNow}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := d.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
}

func TestDispatcherRetriesUntilTheReceiverAcknowledges(t *testing.T) {
	rcv := newHookReceiver(t, http.StatusInternalServerError, http.StatusBadGateway, http.StatusOK)
	f := newDispatchFixture(rcv.URL)
	events := newRedeliveringConsumer()
	startDispatcher(t, f, events)
	if events.durable != api.DispatcherDurable {
		t.Fatalf("durable = %q", events.durable)
	}
	events.queue <- &parley.Event{Type: parley.EventMessageUpdated, Message: f.reply, At: testNow}
	waitFor(t, "the event to be acknowledged", func() bool { n, _ := events.ackedCount(); return n == 1 })
	hooks := rcv.received()
	if len(hooks) != 3 {
		t.Fatalf("receiver got %d webhooks, want 3 (two failures, one success)", len(hooks))
	}
	want := `{"contact":{"id":"cust-42"},"conversation":{"id":70,"number":1042,"status":"resolved"},` +
		`"message":{"id":"parley-501","reason":"contact unsubscribed","status":"failed"},"type":"message.updated"}`
	for i, h := range hooks {
		if h.VerifyErr != nil {
			t.Fatalf("webhook %d fails the receiver's check: %v", i, h.VerifyErr)
		}
		if h.Delivery != "message.updated/501/failed" {
			t.Fatalf("webhook %d delivery = %q, want the same key on every attempt", i, h.Delivery)
		}
		if got := mustJSON(t, h.Payload); got != want {
			t.Fatalf("webhook %d payload\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestDispatcherSendsConversationUpdates(t *testing.T) {
	rcv := newHookReceiver(t)
	f := newDispatchFixture(rcv.URL)
	events := newRedeliveringConsumer()
	startDispatcher(t, f, events)
	events.queue <- &parley.Event{Type: parley.EventConversationUpdated, Conversation: f.conv, Contact: f.contact, At: testNow}
	waitFor(t, "the event to be acknowledged", func() bool { n, _ := events.ackedCount(); return n == 1 })
	hooks := rcv.received()
	if len(hooks) != 1 || hooks[0].VerifyErr != nil || hooks[0].Delivery != "conversation.updated/70/4" {
		t.Fatalf("hooks = %+v", hooks)
	}
	want := `{"contact":{"id":"cust-42"},"conversation":{"id":70,"number":1042,"status":"resolved"},"type":"conversation.updated"}`
	if got := mustJSON(t, hooks[0].Payload); got != want {
		t.Fatalf("payload\n got %s\nwant %s", got, want)
	}
}

func TestDispatcherRetriesWhenTheStoreFails(t *testing.T) {
	rcv := newHookReceiver(t)
	f := newDispatchFixture(rcv.URL)
	f.store.failures = 2
	events := newRedeliveringConsumer()
	startDispatcher(t, f, events)
	events.queue <- &parley.Event{Type: parley.EventMessageUpdated, Message: f.reply}
	waitFor(t, "the event to be acknowledged", func() bool { n, _ := events.ackedCount(); return n == 1 })
	if _, tries := events.ackedCount(); tries != 3 || len(rcv.received()) != 1 {
		t.Fatalf("%d tries, %d webhooks; want 3 tries and 1 webhook", tries, len(rcv.received()))
	}
}

func TestDispatcherIgnoresWhatConcernsNoAPIWebhook(t *testing.T) {
	rcv := newHookReceiver(t)
	f := newDispatchFixture(rcv.URL)
	events := newRedeliveringConsumer()
	startDispatcher(t, f, events)
	inbound := *f.reply
	inbound.Direction = parley.DirectionIn
	whatsapp := *f.reply
	whatsapp.Platform = parley.PlatformWhatsApp
	orphan := *f.reply
	orphan.ConversationID = 404
	mailConv := *f.conv
	mailConv.Platform = parley.PlatformEmail
	quietConv := *f.store.conversations[71]
	requeued := *f.reply
	requeued.Status = parley.MessageQueued
	ignored := []*parley.Event{
		{Type: parley.EventMessageCreated, Message: f.reply},
		{Type: parley.EventConversationAssigned, Conversation: f.conv},
		{Type: parley.EventMessageUpdated, Message: &inbound},
		{Type: parley.EventMessageUpdated, Message: &whatsapp},
		{Type: parley.EventMessageUpdated, Message: &orphan},
		{Type: parley.EventMessageUpdated, Message: &requeued},
		{Type: parley.EventMessageUpdated},
		{Type: parley.EventConversationUpdated, Conversation: &mailConv},
		{Type: parley.EventConversationUpdated, Conversation: &quietConv},
	}
	for _, e := range ignored {
		events.queue <- e
	}
	events.queue <- &parley.Event{Type: parley.EventConversationUpdated, Conversation: f.conv} // the one that counts, last
	waitFor(t, "every event to be acknowledged", func() bool { n, _ := events.ackedCount(); return n == len(ignored)+1 })
	if hooks := rcv.received(); len(hooks) != 1 || hooks[0].Delivery != "conversation.updated/70/4" {
		t.Fatalf("hooks = %+v, want only the API conversation's update", hooks)
	}
}

func TestDispatcherOnTheRealBus(t *testing.T) {
	rcv := newHookReceiver(t, http.StatusServiceUnavailable, http.StatusOK)
	f := newDispatchFixture(rcv.URL)
	b := bustest.MustOpen(t, busConfig(t))
	startDispatcher(t, f, b)
	if err := b.PublishEvent(t.Context(), &parley.Event{Type: parley.EventMessageUpdated, Message: f.reply, At: testNow}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	waitFor(t, "a redelivered webhook to succeed", func() bool { return len(rcv.received()) == 2 })
	for i, h := range rcv.received() {
		if h.VerifyErr != nil || h.Delivery != "message.updated/501/failed" {
			t.Fatalf("webhook %d: verify %v, delivery %q", i, h.VerifyErr, h.Delivery)
		}
	}
}

func busConfig(tb testing.TB) bus.Config {
	return bus.Config{DataDir: tb.TempDir(), Prefix: bustest.UniquePrefix(tb), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}
