package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley"
)

// DispatcherDurable is the durable consumer name of the Dispatcher: every
// node uses the same one, so each event is dispatched once, not once per node.
const DispatcherDurable = "api-webhooks"

// DispatcherStore is what the Dispatcher reads to address a webhook.
type DispatcherStore interface {
	FindChannelByID(ctx context.Context, id int64) (*parley.Channel, error)
	FindConversationByID(ctx context.Context, id int64) (*parley.Conversation, error)
	FindContactByID(ctx context.Context, id int64) (*parley.Contact, error)
}

// Dispatcher tells API channels about changes: it consumes domain events
// durably and POSTs conversation.updated and message.updated (delivery
// status) webhooks, signed, to each API channel that has a webhook_url.
// A failed POST returns an error to the consumer, which redelivers the
// event with backoff until the receiver answers 2xx.
type Dispatcher struct {
	Events parley.EventConsumer
	Store  DispatcherStore
	Client *http.Client // nil: the adapter's default (10 s timeout, no redirects)
	Clock  parley.Clock // nil: the system clock
	Logger *slog.Logger // nil: slog.Default()
}

// Start subscribes and returns; events are handled until ctx is done.
func (d *Dispatcher) Start(ctx context.Context) error {
	if d.Events == nil || d.Store == nil {
		return parley.Errorf(parley.EINVALID, "api dispatcher needs Events and Store")
	}
	return d.Events.ConsumeEvents(ctx, DispatcherDurable, d.Handle)
}

// Handle dispatches one domain event. Events that concern no API channel
// with a webhook_url are acknowledged (nil); a failed lookup or POST
// returns an error so that the event is redelivered.
func (d *Dispatcher) Handle(ctx context.Context, e *parley.Event) error {
	if e == nil {
		return nil
	}
	switch e.Type {
	case parley.EventConversationUpdated:
		return d.conversationUpdated(ctx, e)
	case parley.EventMessageUpdated:
		return d.messageUpdated(ctx, e)
	}
	return nil
}

func (d *Dispatcher) conversationUpdated(ctx context.Context, e *parley.Event) error {
	conv := e.Conversation
	if conv == nil || conv.Platform != parley.PlatformAPI {
		return nil
	}
	delivery := TypeConversationUpdated + "/" + strconv.FormatInt(conv.ID, 10) + "/" + strconv.FormatInt(conv.Version, 10)
	return d.post(ctx, conv, e.Contact, delivery, Payload{Type: TypeConversationUpdated, Conversation: payloadConversation(conv)})
}

func (d *Dispatcher) messageUpdated(ctx context.Context, e *parley.Event) error {
	msg := e.Message
	if msg == nil || msg.Direction != parley.DirectionOut || (msg.Platform != "" && msg.Platform != parley.PlatformAPI) {
		return nil
	}
	if msg.Status == parley.MessageQueued || msg.Status == parley.MessageSending {
		return nil // Parley's own bookkeeping; the client hears from sent on
	}
	conv := e.Conversation
	if conv == nil || conv.ID != msg.ConversationID {
		var err error
		if conv, err = d.Store.FindConversationByID(ctx, msg.ConversationID); err != nil {
			return d.lookupFailed(err, "conversation", msg.ConversationID)
		}
	}
	if conv.Platform != parley.PlatformAPI {
		return nil
	}
	pm := &PayloadMessage{ID: ExternalID(msg.ID), Thread: conv.ThreadKey, Status: string(msg.Status), Reason: msg.FailureReason}
	delivery := TypeMessageUpdated + "/" + strconv.FormatInt(msg.ID, 10) + "/" + string(msg.Status)
	return d.post(ctx, conv, e.Contact, delivery, Payload{Type: TypeMessageUpdated, Message: pm, Conversation: payloadConversation(conv)})
}

// post addresses p to the conversation's channel and contact and sends it.
func (d *Dispatcher) post(ctx context.Context, conv *parley.Conversation, contact *parley.Contact, delivery string, p Payload) error {
	ch, err := d.Store.FindChannelByID(ctx, conv.ChannelID)
	if err != nil {
		return d.lookupFailed(err, "channel", conv.ChannelID)
	}
	if ch.Platform != parley.PlatformAPI || ch.Status == parley.ChannelDisabled || ch.Config[ConfigWebhookURL] == "" {
		return nil
	}
	a, err := NewAdapter(ch, Options{Client: d.Client, Clock: d.Clock})
	if err != nil {
		// A misconfigured channel will not heal by retrying this event.
		d.logger().Warn("api webhook skipped: channel misconfigured", "channel_id", ch.ID, "delivery", delivery, "err", err)
		return nil
	}
	if contact == nil || contact.ID != conv.ContactID || len(contact.Identities) == 0 {
		if contact, err = d.Store.FindContactByID(ctx, conv.ContactID); err != nil {
			return d.lookupFailed(err, "contact", conv.ContactID)
		}
	}
	if id := externalIdentity(contact, ch.ID); id != "" {
		p.Contact = &PayloadContact{ID: id}
	}
	if err := a.post(ctx, delivery, p); err != nil {
		d.logger().Info("api webhook failed; will retry", "channel_id", ch.ID, "delivery", delivery, "err", err)
		return err
	}
	return nil
}

// lookupFailed acknowledges events about things that no longer exist and
// retries on any other failure.
func (d *Dispatcher) lookupFailed(err error, what string, id int64) error {
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		d.logger().Info("api webhook skipped: "+what+" not found", what+"_id", id)
		return nil
	}
	return err
}

// externalIdentity is the client's own id of the contact on this channel.
func externalIdentity(c *parley.Contact, channelID int64) string {
	if c == nil {
		return ""
	}
	for _, id := range c.Identities {
		if id != nil && id.Kind == parley.IdentityExternal && id.ScopeChannelID == channelID {
			return id.Value
		}
	}
	return ""
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}
