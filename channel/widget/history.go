package widget

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// History bounds.
const (
	historyConversations = 5    // the visitor's newest tickets on the channel
	historyMessages      = 1000 // messages read per ticket at most
	historyFirstLoad     = 200  // messages sent on a first load (after = 0)
	// catchUpGrace widens catch-up to messages that changed shortly before
	// the last one the visitor saw: a reply queued before it but sent after
	// it, or (on PostgreSQL) a row that committed out of id order.
	catchUpGrace = 5 * time.Second
)

// history is what a visitor who saw messages up to id after is missing:
// visible messages of their newest tickets on the channel with a higher
// id, plus any that changed since shortly before message after was
// written. The socket is made to watch those tickets. The widget drops
// what it already has by id, so generosity costs bytes, never duplicates.
func (h *Handler) history(ctx context.Context, s *socket, after int64) ([]*parley.Message, error) {
	channelID, contactID := s.channel.ID, s.visitor.ContactID
	convs, _, err := h.cfg.Store.FindConversations(ctx, parley.ConversationFilter{
		View: parley.ViewAll, ContactID: &contactID, ChannelID: &channelID, Sort: parley.SortNewest,
		Page: parley.Page{Limit: historyConversations},
	})
	if err != nil {
		return nil, err
	}
	var all []*parley.Message
	for _, c := range convs {
		if c.ContactID != contactID || c.ChannelID != channelID {
			continue // defence in depth: the filter already says so
		}
		h.sockets.watch(s, c.ID)
		msgs, err := h.threadOf(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		all = append(all, msgs...)
	}
	slices.SortFunc(all, func(a, b *parley.Message) int { return int(a.ID - b.ID) })
	return missing(all, after), nil
}

// threadOf reads a ticket's messages visible to the visitor, oldest first.
func (h *Handler) threadOf(ctx context.Context, convID int64) ([]*parley.Message, error) {
	var out []*parley.Message
	page := parley.Page{Limit: parley.MaxPageLimit}
	for read := 0; read < historyMessages; read += page.Limit {
		msgs, next, err := h.cfg.Store.FindMessages(ctx, parley.MessageFilter{ConversationID: convID, Page: page})
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if m.ConversationID == convID && visibleToVisitor(m) {
				out = append(out, m)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	return out, nil
}

// missing picks, from visible messages sorted by id, those after id after
// and those changed since shortly before it was written. With after = 0
// it is the newest historyFirstLoad messages.
func missing(all []*parley.Message, after int64) []*parley.Message {
	if after <= 0 {
		if len(all) > historyFirstLoad {
			all = all[len(all)-historyFirstLoad:]
		}
		return all
	}
	var since time.Time
	for _, m := range all {
		if m.ID == after {
			since = m.CreatedAt.Add(-catchUpGrace)
		}
	}
	var out []*parley.Message
	for _, m := range all {
		if m.ID > after || (!since.IsZero() && !m.UpdatedAt.Before(since)) {
			out = append(out, m)
		}
	}
	return out
}

// view renders a message for the visitor with its author's name.
func (h *Handler) view(ctx context.Context, m *parley.Message) *messageView {
	author := ""
	if m.Direction == parley.DirectionOut && m.AuthorAgentID != nil {
		author = h.agentName(ctx, *m.AuthorAgentID)
	}
	return viewOf(h.withFileLinks(m), author)
}

// withFileLinks returns m with its stored attachments at addresses the
// visitor can load.
func (h *Handler) withFileLinks(m *parley.Message) *parley.Message {
	out := *m
	out.Attachments = append([]parley.Attachment(nil), m.Attachments...)
	for i, a := range out.Attachments {
		if a.StorageKey != "" {
			out.Attachments[i].URL = h.visitorFileURL(m.ChannelID, a.StorageKey)
		}
	}
	return &out
}

// agentNames caches agents' display names for a few minutes.
type agentNames struct {
	mu    sync.Mutex
	names map[int64]cachedName
}

type cachedName struct {
	name    string
	expires time.Time
}

var nameTTL = 5 * time.Minute

func (h *Handler) agentName(ctx context.Context, id int64) string {
	now := time.Now()
	h.names.mu.Lock()
	c, ok := h.names.names[id]
	h.names.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.name
	}
	a, err := h.cfg.Store.FindAgentByID(ctx, id)
	if err != nil {
		return c.name
	}
	h.names.mu.Lock()
	if h.names.names == nil {
		h.names.names = map[int64]cachedName{}
	}
	h.names.names[id] = cachedName{name: a.Name, expires: now.Add(nameTTL)}
	h.names.mu.Unlock()
	return a.Name
}
