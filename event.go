package parley

import (
	"context"
	"slices"
	"time"
)

// EventType names a domain event pushed to agents' screens and to other
// capabilities (routing, SLA, webhooks).
type EventType string

// Domain events.
const (
	EventMessageCreated       EventType = "message.created"
	EventMessageUpdated       EventType = "message.updated" // delivery status changed
	EventConversationCreated  EventType = "conversation.created"
	EventConversationUpdated  EventType = "conversation.updated"
	EventConversationAssigned EventType = "conversation.assigned"
	EventContactUpdated       EventType = "contact.updated"
	EventPresence             EventType = "presence" // agent online/away/offline
	EventViewing              EventType = "viewing"  // agent viewing or typing in a conversation
	EventChannelUpdated       EventType = "channel.updated"
)

// Activity is what an agent is doing in a conversation.
type Activity string

// Activities shown as "Ana is viewing / typing".
const (
	ActivityViewing Activity = "viewing"
	ActivityTyping  Activity = "typing"
	ActivityLeft    Activity = "left"
)

// PresenceInfo is an agent's presence or activity in a conversation.
type PresenceInfo struct {
	// AgentID is the agent; a negative id is a website visitor (the widget
	// channel's contact -AgentID, named by AgentName) typing or viewing
	// their own ticket, so agents see customers the way they see colleagues.
	AgentID        int64    `json:"agent_id"`
	AgentName      string   `json:"agent_name"`
	Presence       Presence `json:"presence,omitempty"`
	ConversationID int64    `json:"conversation_id,omitempty"`
	Activity       Activity `json:"activity,omitempty"`
	// Node names the app node that published it on the PresenceBus, so that
	// a node can tell its own echo apart and count an agent online while any
	// node holds a socket of theirs. Empty in what clients receive.
	Node string `json:"node,omitempty"`
}

// Event is a domain event. It carries the state after the change so that
// clients need not refetch.
type Event struct {
	Type         EventType     `json:"type"`
	Conversation *Conversation `json:"conversation,omitempty"`
	Message      *Message      `json:"message,omitempty"`
	Contact      *Contact      `json:"contact,omitempty"`
	Channel      *Channel      `json:"channel,omitempty"`
	Presence     *PresenceInfo `json:"presence,omitempty"`
	At           time.Time     `json:"at"`
	// Trace is the time the inbound webhook was received, carried so that
	// the benchmark can measure webhook → agent screen latency.
	Trace *time.Time `json:"trace,omitempty"`
	// ContactID names the contact whose data the event carries when none of
	// its fields does (a note's message): the bus files events by contact so
	// that erasing one purges them. It is not encoded: only the publisher
	// needs it.
	ContactID int64 `json:"-"`
}

// EventPublisher fans events out to every node.
type EventPublisher interface {
	PublishEvent(ctx context.Context, e *Event) error
}

// InboundPublisher durably queues verified inbound events. It returns only
// once the stream has stored every event, or an EUNAVAILABLE error.
type InboundPublisher interface {
	PublishInbound(ctx context.Context, events []*InboundEvent, raw []byte, receivedAt time.Time) error
}

// OutboundPublisher queues a stored outbound message for sending.
type OutboundPublisher interface {
	PublishOutbound(ctx context.Context, messageID int64, attempt int) error
}

// CanSee reports whether agent a may see conversation c: admins and
// supervisors see everything; agents see tickets assigned to them, tickets
// of their teams, and tickets of no team.
func (a *Agent) CanSee(c *Conversation) bool {
	if a == nil || c == nil {
		return false
	}
	if a.Role.AtLeast(RoleSupervisor) {
		return true
	}
	if c.AssigneeID != nil && *c.AssigneeID == a.ID {
		return true
	}
	if c.TeamID == nil {
		return true
	}
	return slices.Contains(a.TeamIDs, *c.TeamID)
}

// EventSubscriber delivers every domain event published from now on, by any
// node, to handle until ctx is done. It returns once subscribed. Delivery is
// best effort (for live screens): a client that reconnects refetches.
type EventSubscriber interface {
	SubscribeEvents(ctx context.Context, handle func(*Event)) error
}

// EventConsumer delivers domain events at least once to a named durable
// consumer until ctx is done; when handle returns an error the event is
// redelivered later with backoff. It returns once subscribed.
type EventConsumer interface {
	ConsumeEvents(ctx context.Context, durable string, handle func(context.Context, *Event) error) error
}

// PresenceBus shares agents' presence and activity between nodes. Nothing
// of it is stored.
type PresenceBus interface {
	PublishPresence(ctx context.Context, p *PresenceInfo) error
	SubscribePresence(ctx context.Context, handle func(*PresenceInfo)) error
}

// ContactDataPurger removes what the event bus keeps of a contact (events
// carrying its name, identities or message text) once the database has
// erased it. Purging a contact with nothing left succeeds, so an erasure
// whose purge failed can simply be retried.
type ContactDataPurger interface {
	PurgeContactData(ctx context.Context, contactID int64) error
}
