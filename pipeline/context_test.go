package pipeline_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/pipeline"
)

// contextAdapter answers context per message text: "fail" fails, "none"
// has none, anything else gets post_text = its text.
type contextAdapter struct {
	scriptedAdapter
	mu    sync.Mutex
	calls int
}

func (a *contextAdapter) FetchContext(_ context.Context, m *parley.Message) (map[string]string, error) {
	a.mu.Lock()
	a.calls++
	a.mu.Unlock()
	switch m.Body {
	case "fail":
		return nil, parley.Errorf(parley.EUNAVAILABLE, "graph down")
	case "none":
		return nil, nil
	}
	return map[string]string{"post_text": "about " + m.Body}, nil
}

func TestContextWorkerStoresFetchedContextBestEffort(t *testing.T) {
	st := MustOpenStore(t)
	ch := MustCreateChannel(t, st)
	a := &contextAdapter{}
	reg := channel.NewRegistry()
	reg.Register(parley.PlatformAPI, func(*parley.Channel) (parley.Adapter, error) { return a, nil })
	events := &recordedEvents{}
	w := &pipeline.ContextWorker{Store: st, Adapters: reg, Events: events}

	inbound := func(i int, text string) *parley.Message {
		ev := inboundText(ch, "ctx-customer", i)
		ev.Text = text
		res, err := st.Ingest(context.Background(), []*parley.InboundEvent{ev})
		if err != nil || res[0].Message == nil {
			t.Fatalf("ingest: %v", err)
		}
		if err := w.Handle(context.Background(), &parley.Event{Type: parley.EventMessageCreated, Message: res[0].Message, At: time.Now()}); err != nil {
			t.Fatalf("a context fetch must never fail the event: %v", err)
		}
		return MustMessage(t, st, res[0].Message.ID)
	}
	if m := inbound(1, "spring"); m.Metadata["post_text"] != "about spring" {
		t.Errorf("metadata %v", m.Metadata)
	}
	if events.count() != 1 {
		t.Errorf("%d events after storing context, want 1 message.updated", events.count())
	}
	for i, text := range []string{"fail", "none"} {
		if m := inbound(i+2, text); m.Metadata["post_text"] != "" {
			t.Errorf("%s: metadata %v", text, m.Metadata)
		}
	}
	if events.count() != 1 {
		t.Errorf("events announced without a change: %d", events.count())
	}
	calls := a.calls
	out := &parley.Message{ID: 1, ChannelID: ch.ID, Direction: parley.DirectionOut, Body: "x"}
	_ = w.Handle(context.Background(), &parley.Event{Type: parley.EventMessageCreated, Message: out})
	_ = w.Handle(context.Background(), &parley.Event{Type: parley.EventMessageUpdated, Message: out})
	if a.calls != calls {
		t.Error("fetched context for an outbound message or an update")
	}
}

// countingContextStore counts channel reads.
type countingContextStore struct {
	pipeline.ContextStore
	mu    sync.Mutex
	reads int
}

func (s *countingContextStore) FindChannelByID(ctx context.Context, id int64) (*parley.Channel, error) {
	s.mu.Lock()
	s.reads++
	s.mu.Unlock()
	return s.ContextStore.FindChannelByID(ctx, id)
}

// Every inbound message passes the context worker; on a channel whose
// adapter fetches no context (WhatsApp, the widget…) it must not read the
// channel each time.
func TestContextWorkerReadsAChannelOncePerMessageBurst(t *testing.T) {
	st := MustOpenStore(t)
	ch := MustCreateChannel(t, st)
	reg := channel.NewRegistry()
	reg.Register(parley.PlatformAPI, func(*parley.Channel) (parley.Adapter, error) { return &scriptedAdapter{}, nil })
	counted := &countingContextStore{ContextStore: st}
	w := &pipeline.ContextWorker{Store: counted, Adapters: reg, Events: &recordedEvents{}}
	for i := range 50 {
		m := &parley.Message{ID: int64(i + 1), ChannelID: ch.ID, Direction: parley.DirectionIn, Body: "hi"}
		if err := w.Handle(context.Background(), &parley.Event{Type: parley.EventMessageCreated, Message: m}); err != nil {
			t.Fatal(err)
		}
	}
	if counted.reads != 1 {
		t.Errorf("read the channel %d times for 50 messages, want once", counted.reads)
	}
}
