package parley

import (
	"context"
	"time"
)

// Status is where a ticket is in its life.
type Status string

// Ticket statuses. Every status but closed is "active": a new customer
// message joins (and reopens) the active ticket of its thread, so there is at
// most one active ticket per (channel, contact, thread). Snoozed wakes up at
// SnoozedUntil; closed is final and a new message opens a new ticket.
const (
	StatusOpen     Status = "open"
	StatusPending  Status = "pending"
	StatusSnoozed  Status = "snoozed"
	StatusResolved Status = "resolved"
	StatusClosed   Status = "closed"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusOpen, StatusPending, StatusSnoozed, StatusResolved, StatusClosed:
		return true
	}
	return false
}

// Active reports whether a new inbound message joins a ticket in this status
// (reopening it) rather than opening a new one.
func (s Status) Active() bool { return s.Valid() && s != StatusClosed }

// Priority orders the queue. Higher is more urgent.
type Priority int

// Priorities.
const (
	PriorityLow    Priority = 0
	PriorityNormal Priority = 1
	PriorityHigh   Priority = 2
	PriorityUrgent Priority = 3
)

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p >= PriorityLow && p <= PriorityUrgent }

// ChannelTag is the automatic tag naming a ticket's source channel, e.g.
// "channel:whatsapp".
func ChannelTag(p Platform) string { return "channel:" + string(p) }

// Conversation is the standardised ticket: one per customer thread, whatever
// the channel. Version increments on every change; updates must name the
// version they read.
type Conversation struct {
	ID            int64             `json:"id"`
	Number        int64             `json:"number"` // human number, #1042
	ChannelID     int64             `json:"channel_id"`
	Platform      Platform          `json:"platform"`
	ContactID     int64             `json:"contact_id"`
	ThreadKey     string            `json:"thread_key,omitempty"` // the platform's thread (PSID, comment root, mail thread)
	Subject       string            `json:"subject,omitempty"`
	Status        Status            `json:"status"`
	Priority      Priority          `json:"priority"`
	Tags          []string          `json:"tags"`
	AssigneeID    *int64            `json:"assignee_id,omitempty"`
	TeamID        *int64            `json:"team_id,omitempty"`
	Language      string            `json:"language,omitempty"`
	Attributes    map[string]string `json:"attributes,omitempty"`
	SnoozedUntil  *time.Time        `json:"snoozed_until,omitempty"`
	LastMessageAt time.Time         `json:"last_message_at"`
	LastInboundAt *time.Time        `json:"last_inbound_at,omitempty"` // starts the platform reply window
	WaitingSince  *time.Time        `json:"waiting_since,omitempty"`   // oldest unanswered inbound message
	LastPreview   string            `json:"last_preview,omitempty"`
	UnreadCount   int               `json:"unread_count"`
	Version       int64             `json:"version"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	ResolvedAt    *time.Time        `json:"resolved_at,omitempty"`

	Contact *Contact `json:"contact,omitempty"` // filled by listings for display
	// Unread is filled by the API for the agent asking: a customer message
	// is newer than their read position. Nil elsewhere (events, stores).
	Unread *bool `json:"unread,omitempty"`
}

// ConversationView is one of the inbox views.
type ConversationView string

// Inbox views relative to the agent asking.
const (
	ViewAll        ConversationView = "all"
	ViewMine       ConversationView = "mine"
	ViewUnassigned ConversationView = "unassigned"
	ViewMyTeams    ConversationView = "teams"
)

// ConversationSort orders an inbox listing.
type ConversationSort string

// Sort orders.
const (
	SortNewest        ConversationSort = "newest"         // last activity first
	SortOldestWaiting ConversationSort = "oldest_waiting" // customers waiting longest first
	SortPriority      ConversationSort = "priority"       // most urgent first, then oldest waiting
)

// ConversationFilter selects tickets; nil fields are not filtered on.
// AgentID is the agent asking, used by the Mine and My teams views.
type ConversationFilter struct {
	View       ConversationView
	AgentID    int64
	ChannelID  *int64
	ContactID  *int64
	Platform   *Platform
	Statuses   []Status
	Priority   *Priority
	Tag        *string
	AssigneeID *int64
	TeamID     *int64
	Sort       ConversationSort
	Page
}

// ConversationUpdate changes a ticket. Version must equal the stored version
// or the update fails with ECONFLICT (details: the current conversation).
// Nil fields are left alone; ClearAssignee/ClearTeam unset them.
type ConversationUpdate struct {
	Version       int64      `json:"version"`
	Status        *Status    `json:"status,omitempty"`
	Priority      *Priority  `json:"priority,omitempty"`
	AssigneeID    *int64     `json:"assignee_id,omitempty"`
	ClearAssignee bool       `json:"clear_assignee,omitempty"`
	TeamID        *int64     `json:"team_id,omitempty"`
	ClearTeam     bool       `json:"clear_team,omitempty"`
	SnoozedUntil  *time.Time `json:"snoozed_until,omitempty"`
	AddTags       []string   `json:"add_tags,omitempty"`
	RemoveTags    []string   `json:"remove_tags,omitempty"`
	Subject       *string    `json:"subject,omitempty"`
	// ActorAgentID is who made the change, recorded in the activity line.
	ActorAgentID *int64 `json:"-"`
}

// ConversationCounts are the badge numbers of the inbox views.
type ConversationCounts struct {
	Mine       int `json:"mine"`
	Unassigned int `json:"unassigned"`
	MyTeams    int `json:"teams"`
	All        int `json:"all"`
}

// ConversationService stores tickets.
type ConversationService interface {
	FindConversationByID(ctx context.Context, id int64) (*Conversation, error)
	FindConversations(ctx context.Context, f ConversationFilter) ([]*Conversation, string, error)
	CountConversations(ctx context.Context, agentID int64, statuses []Status) (ConversationCounts, error)
	// UpdateConversation applies upd atomically, records activity messages
	// for what changed, and returns the new state.
	UpdateConversation(ctx context.Context, id int64, upd ConversationUpdate) (*Conversation, error)
	// MergeConversations moves every message of source into target and
	// closes source, recording an activity line on both.
	MergeConversations(ctx context.Context, targetID, sourceID int64, actorAgentID *int64) (*Conversation, error)
	// WakeSnoozed reopens snoozed tickets whose time has come.
	WakeSnoozed(ctx context.Context, now time.Time) ([]*Conversation, error)
}
