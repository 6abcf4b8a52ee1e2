package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// ContextStore is what the ContextWorker reads and writes.
type ContextStore interface {
	FindChannelByID(ctx context.Context, id int64) (*parley.Channel, error)
	FindConversationByID(ctx context.Context, id int64) (*parley.Conversation, error)
	parley.MessageContextService
}

// contextFetchTimeout bounds one platform call, well under the event
// consumer's ack wait.
const contextFetchTimeout = 20 * time.Second

// ContextWorker asks the platform what a new inbound message is about when
// its webhook did not say (a comment's post text and link), behind the
// ingest transaction from the EVENTS stream, so ingestion never waits on
// the platform. It is best effort: a failed fetch is logged and the ticket
// stays without context; it is never retried, because the context is a
// convenience and the platform call costs rate limit.
type ContextWorker struct {
	Store    ContextStore
	Adapters parley.AdapterSource
	Events   parley.EventPublisher
	Logger   *slog.Logger
	Clock    parley.Clock

	fetchers fetcherCache
}

// fetcherCacheTTL bounds how long a channel's answer to "can it fetch
// context?" is reused. Every inbound message passes here, and reading the
// channel for each one cost WhatsApp ingest on SQLite about a fifth of its
// CPU; a channel's new credentials reach this worker within the TTL.
const fetcherCacheTTL = 30 * time.Second

type fetcherCache struct {
	mu sync.Mutex
	m  map[int64]cachedFetcher
}

type cachedFetcher struct {
	f     parley.ContextFetcher // nil: the channel's adapter fetches no context
	until time.Time
}

// Handle is a parley.EventConsumer handler for message.created events.
func (w *ContextWorker) Handle(ctx context.Context, e *parley.Event) error {
	if e.Type != parley.EventMessageCreated || e.Message == nil || e.Message.Direction != parley.DirectionIn {
		return nil
	}
	w.Process(ctx, e.Message)
	return nil
}

// Process fetches and stores the context of m, if its adapter has any.
func (w *ContextWorker) Process(ctx context.Context, m *parley.Message) {
	f := w.fetcher(ctx, m)
	if f == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, contextFetchTimeout)
	defer cancel()
	kv, err := f.FetchContext(ctx, m)
	if err != nil {
		w.log().Warn("fetching the context of a message", "message_id", m.ID, "channel_id", m.ChannelID, "err", err)
		return
	}
	if len(kv) == 0 {
		return
	}
	updated, err := w.Store.AddMessageMetadata(ctx, m.ID, kv)
	if err != nil {
		w.log().Warn("storing the context of a message", "message_id", m.ID, "err", err)
		return
	}
	// Screens see a message event only with its ticket (realtime checks
	// who may see it).
	conv, err := w.Store.FindConversationByID(ctx, updated.ConversationID)
	if err != nil {
		conv = nil
	}
	ev := &parley.Event{Type: parley.EventMessageUpdated, Message: updated, Conversation: conv, At: clockOrSystem(w.Clock).Now()}
	publishEvents(ctx, w.Events, w.log(), []*parley.Event{ev})
}

func (w *ContextWorker) fetcher(ctx context.Context, m *parley.Message) parley.ContextFetcher {
	now := time.Now()
	w.fetchers.mu.Lock()
	c, ok := w.fetchers.m[m.ChannelID]
	w.fetchers.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.f
	}
	ch, err := w.Store.FindChannelByID(ctx, m.ChannelID)
	if err != nil {
		return nil // not cached: a passing database error must not hide the channel
	}
	var f parley.ContextFetcher
	if adapter, err := w.Adapters.Adapter(ch); err == nil {
		f, _ = adapter.(parley.ContextFetcher)
	}
	w.fetchers.mu.Lock()
	if w.fetchers.m == nil {
		w.fetchers.m = map[int64]cachedFetcher{}
	}
	w.fetchers.m[m.ChannelID] = cachedFetcher{f: f, until: now.Add(fetcherCacheTTL)}
	w.fetchers.mu.Unlock()
	return f
}

func (w *ContextWorker) log() *slog.Logger { return loggerOrDefault(w.Logger, "context") }
