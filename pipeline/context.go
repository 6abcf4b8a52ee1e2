package pipeline

import (
	"context"
	"log/slog"
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
	ch, err := w.Store.FindChannelByID(ctx, m.ChannelID)
	if err != nil {
		return nil
	}
	adapter, err := w.Adapters.Adapter(ch)
	if err != nil {
		return nil
	}
	f, _ := adapter.(parley.ContextFetcher)
	return f
}

func (w *ContextWorker) log() *slog.Logger { return loggerOrDefault(w.Logger, "context") }
