package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// defaultRepeatDays is the repeat-contact window when a channel sets none.
const defaultRepeatDays = 7

// continuityMode is the channel's setting for a customer who writes here
// while a ticket of theirs is open on another channel.
func (b *ingestBatch) continuityMode(channelID int64) string {
	return identity.ContinuityMode(b.ident.configs[channelID])
}

// repeatWindow is how long after a resolved ticket a new one counts as a
// repeat contact (0: never).
func (b *ingestBatch) repeatWindow(channelID int64) time.Duration {
	days := defaultRepeatDays
	if v, ok := b.ident.configs[channelID][identity.ConfigRepeatDays]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			days = n
		}
	}
	return time.Duration(days) * 24 * time.Hour
}

// waitingStatuses are the statuses of a ticket that is still "open" for
// continuity: the customer is waiting or the agent is.
var waitingStatuses = []parley.Status{parley.StatusOpen, parley.StatusPending, parley.StatusSnoozed}

// joinContinuing runs before new tickets are opened: a message on a
// channel set to "join", from a contact with a ticket open on another
// channel, joins that ticket instead (it keeps its own channel id and
// platform, so the thread reads as one story with channel marks). It
// returns the messages that still need a ticket of their own.
func (b *ingestBatch) joinContinuing(ctx context.Context, missing []*ingestMessage, byThread map[threadKey]*ingestConversation) ([]*ingestMessage, error) {
	var contacts []int64
	seen := map[int64]bool{}
	for _, m := range missing {
		if !m.contact.created && b.continuityMode(m.ev.ChannelID) == identity.ContinuityJoin && !seen[m.contact.id] {
			seen[m.contact.id] = true
			contacts = append(contacts, m.contact.id)
		}
	}
	if len(contacts) == 0 {
		return missing, nil
	}
	open, err := b.t.waitingConversations(ctx, contacts)
	if err != nil {
		return nil, err
	}
	shared := map[int64]*ingestConversation{}
	for _, ic := range byThread {
		if ic != nil {
			shared[ic.conv.ID] = ic
		}
	}
	kept := missing[:0]
	for _, m := range missing {
		target := otherChannel(open[m.contact.id], m.ev.ChannelID)
		if target == nil || b.continuityMode(m.ev.ChannelID) != identity.ContinuityJoin {
			kept = append(kept, m)
			continue
		}
		if shared[target.ID] == nil {
			shared[target.ID] = &ingestConversation{conv: target}
		}
		m.conv = shared[target.ID]
	}
	return kept, nil
}

// otherChannel picks the most recent ticket not on channelID.
func otherChannel(convs []*parley.Conversation, channelID int64) *parley.Conversation {
	for _, c := range convs {
		if c.ChannelID != channelID {
			return c
		}
	}
	return nil
}

// waitingConversations loads the open, pending and snoozed tickets of
// contacts, most recent first.
func (t *tx) waitingConversations(ctx context.Context, contactIDs []int64) (map[int64][]*parley.Conversation, error) {
	var args argList
	convs, err := t.queryConversations(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE contact_id IN `+in(&args, contactIDs)+
		` AND status IN `+in(&args, waitingStatuses)+` ORDER BY last_message_at DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	out := map[int64][]*parley.Conversation{}
	for _, c := range convs {
		out[c.ContactID] = append(out[c.ContactID], c)
	}
	return out, nil
}

// priorTicket is what linking needs to know of a contact's other tickets.
type priorTicket struct {
	id, contact, channel int64
	status               parley.Status
	resolvedAt           *time.Time
}

// linkNewConversations runs after new tickets are opened: a ticket opened
// on a channel set to "link" while the contact has a ticket open on another
// channel is linked to it (continuity), and a ticket opened within the
// repeat window after one of the contact's tickets was resolved is linked
// to that one (repeat, counted in the 360 view).
func (b *ingestBatch) linkNewConversations(ctx context.Context) error {
	fresh := map[int64]*parley.Conversation{}
	var contacts []int64
	seen := map[int64]bool{}
	for _, m := range b.messages {
		if m.conv != nil && m.conv.created && fresh[m.conv.conv.ID] == nil {
			fresh[m.conv.conv.ID] = m.conv.conv
			if !seen[m.conv.conv.ContactID] {
				seen[m.conv.conv.ContactID] = true
				contacts = append(contacts, m.conv.conv.ContactID)
			}
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	prior, err := b.t.priorTickets(ctx, contacts)
	if err != nil {
		return err
	}
	var links []identity.Link
	for _, c := range fresh {
		links = append(links, b.linksFor(c, prior[c.ContactID], fresh)...)
	}
	return b.t.insertLinks(ctx, links)
}

// linksFor decides the links of one new ticket.
func (b *ingestBatch) linksFor(c *parley.Conversation, prior []priorTicket, fresh map[int64]*parley.Conversation) []identity.Link {
	var links []identity.Link
	var continued int64
	if b.continuityMode(c.ChannelID) == identity.ContinuityLink {
		for _, p := range prior {
			if fresh[p.id] == nil && p.channel != c.ChannelID && isWaiting(p.status) {
				continued = p.id
				links = append(links, identity.Link{ConversationID: c.ID, LinkedID: p.id, Reason: identity.LinkContinuity})
				break
			}
		}
	}
	if window := b.repeatWindow(c.ChannelID); window > 0 {
		since := b.t.now.Add(-window)
		for _, p := range prior {
			if fresh[p.id] == nil && p.id != continued && p.resolvedAt != nil && !p.resolvedAt.Before(since) &&
				(p.status == parley.StatusResolved || p.status == parley.StatusClosed) {
				links = append(links, identity.Link{ConversationID: c.ID, LinkedID: p.id, Reason: identity.LinkRepeat})
				break
			}
		}
	}
	return links
}

func isWaiting(s parley.Status) bool {
	for _, w := range waitingStatuses {
		if s == w {
			return true
		}
	}
	return false
}

// priorTickets loads the contacts' tickets, most recently active first.
func (t *tx) priorTickets(ctx context.Context, contactIDs []int64) (map[int64][]priorTicket, error) {
	var args argList
	rows, err := t.query(ctx, `SELECT id, contact_id, channel_id, status, resolved_at FROM conversations WHERE contact_id IN `+
		in(&args, contactIDs)+` ORDER BY last_message_at DESC, id DESC`, args...)
	if err != nil {
		return nil, t.s.wrap(err, "loading the contacts' tickets")
	}
	defer rows.Close()
	out := map[int64][]priorTicket{}
	for rows.Next() {
		var p priorTicket
		if err := rows.Scan(&p.id, &p.contact, &p.channel, &p.status, nullTimeCol{&p.resolvedAt}); err != nil {
			return nil, t.s.wrap(err, "scanning ticket")
		}
		out[p.contact] = append(out[p.contact], p)
	}
	return out, t.s.wrap(rows.Err(), "loading the contacts' tickets")
}

// insertLinks stores ticket links; existing ones stay as they were.
func (t *tx) insertLinks(ctx context.Context, links []identity.Link) error {
	if len(links) == 0 {
		return nil
	}
	var args argList
	values := make([]string, len(links))
	for i, l := range links {
		values[i] = "(" + args.add(l.ConversationID) + ", " + args.add(l.LinkedID) + ", " + args.add(l.Reason) + ", " + args.add(t.now) + ")"
	}
	_, err := t.exec(ctx, `INSERT INTO conversation_links (conversation_id, linked_id, reason, created_at) VALUES `+
		strings.Join(values, ", ")+` ON CONFLICT DO NOTHING`, args...)
	return t.s.wrap(err, "linking tickets")
}
