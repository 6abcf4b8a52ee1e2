package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// threadKey identifies a ticket's thread: at most one active ticket each.
type threadKey struct {
	channel, contact int64
	thread           string
}

// ingestConversation is a ticket receiving messages in this batch.
type ingestConversation struct {
	conv    *parley.Conversation
	created bool
	// what the batch's messages change
	lastAt, lastInboundAt, firstInboundAt time.Time
	lastPreview                           string
	inbound                               int
	touched                               bool
	previous                              parley.Status // before a customer message reopened it
}

// resolveConversations finds the active ticket of every message's thread,
// opening new tickets where there is none.
func (b *ingestBatch) resolveConversations(ctx context.Context) error {
	byThread := map[threadKey]*ingestConversation{}
	contactsByChannel := map[int64][]int64{}
	for _, m := range b.messages {
		k := m.thread()
		if _, ok := byThread[k]; !ok {
			byThread[k] = nil
			contactsByChannel[k.channel] = append(contactsByChannel[k.channel], k.contact)
		}
	}
	for channel, contacts := range contactsByChannel {
		convs, err := b.t.findActiveConversations(ctx, channel, contacts)
		if err != nil {
			return err
		}
		for _, c := range convs {
			k := threadKey{c.ChannelID, c.ContactID, c.ThreadKey}
			if _, wanted := byThread[k]; wanted {
				byThread[k] = &ingestConversation{conv: c}
			}
		}
	}
	var missing []*ingestMessage
	for _, m := range b.messages {
		if ic := byThread[m.thread()]; ic != nil {
			m.conv = ic
		} else {
			missing = append(missing, m)
		}
	}
	missing, err := b.joinContinuing(ctx, missing, byThread)
	if err != nil {
		return err
	}
	if err := b.openConversations(ctx, missing, byThread); err != nil {
		return err
	}
	return b.linkNewConversations(ctx)
}

func (m *ingestMessage) thread() threadKey {
	return threadKey{m.ev.ChannelID, m.contact.id, m.ev.ThreadKey}
}

// findActiveConversations loads the active tickets of contacts on a channel.
func (t *tx) findActiveConversations(ctx context.Context, channelID int64, contactIDs []int64) ([]*parley.Conversation, error) {
	var out []*parley.Conversation
	for len(contactIDs) > 0 {
		n := min(len(contactIDs), 500)
		var args argList
		q := `SELECT ` + conversationColumns + ` FROM conversations WHERE channel_id = ` + args.add(channelID) +
			` AND contact_id IN ` + in(&args, contactIDs[:n]) + ` AND status <> 'closed'`
		rows, err := t.query(ctx, q, args...)
		if err != nil {
			return nil, t.s.wrap(err, "finding active conversations")
		}
		for rows.Next() {
			c, err := scanConversation(rows)
			if err != nil {
				rows.Close()
				return nil, t.s.wrap(err, "scanning conversation")
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, t.s.wrap(err, "finding active conversations")
		}
		contactIDs = contactIDs[n:]
	}
	return out, nil
}

// openConversations opens one ticket per thread without an active one. A
// concurrent batch may open the same thread first (PostgreSQL): the partial
// unique index turns our insert into a no-op and we join the winner's.
func (b *ingestBatch) openConversations(ctx context.Context, missing []*ingestMessage, byThread map[threadKey]*ingestConversation) error {
	var fresh []*ingestConversation
	for _, m := range missing {
		k := m.thread()
		if ic := byThread[k]; ic != nil {
			m.conv = ic
			continue
		}
		ic := &ingestConversation{created: true, conv: b.newConversation(m)}
		byThread[k], m.conv = ic, ic
		fresh = append(fresh, ic)
	}
	if len(fresh) == 0 {
		return nil
	}
	t := b.t
	ids, err := t.s.d.allocateIDs(ctx, t, "conversations", len(fresh))
	if err != nil {
		return t.s.wrap(err, "reserving conversation ids")
	}
	numbers, err := t.s.d.allocateNumbers(ctx, t, len(fresh))
	if err != nil {
		return t.s.wrap(err, "reserving conversation numbers")
	}
	for i, ic := range fresh {
		ic.conv.ID, ic.conv.Number = ids[i], numbers[i]
	}
	opened, err := b.insertConversations(ctx, fresh)
	if err != nil {
		return err
	}
	return b.joinLostConversations(ctx, fresh, opened)
}

func (b *ingestBatch) newConversation(m *ingestMessage) *parley.Conversation {
	platform := b.channels[m.ev.ChannelID]
	return &parley.Conversation{
		ChannelID: m.ev.ChannelID, Platform: platform, ContactID: m.contact.id, ThreadKey: m.ev.ThreadKey,
		Subject: m.ev.Subject, Status: parley.StatusOpen, Priority: parley.PriorityNormal,
		Tags: []string{parley.ChannelTag(platform)}, LastMessageAt: eventTime(m.ev, b.t.now), Version: 1,
		CreatedAt: b.t.now, UpdatedAt: b.t.now,
	}
}

// eventTime is when the platform says the event happened, or now.
func eventTime(ev *parley.InboundEvent, now time.Time) time.Time {
	if ev.Timestamp.IsZero() {
		return now
	}
	return ev.Timestamp.UTC().Truncate(time.Microsecond)
}

// insertConversations inserts new tickets and returns the ids that went in.
func (b *ingestBatch) insertConversations(ctx context.Context, fresh []*ingestConversation) (map[int64]bool, error) {
	t := b.t
	opened := map[int64]bool{}
	for rest := fresh; len(rest) > 0; {
		n := min(len(rest), 200)
		var args argList
		values := make([]string, n)
		for i, ic := range rest[:n] {
			c := ic.conv
			values[i] = "(" + strings.Join([]string{args.add(c.ID), args.add(c.Number), args.add(c.ChannelID), args.add(c.Platform),
				args.add(c.ContactID), args.add(c.ThreadKey), args.add(c.Subject), args.add(c.Status), args.add(c.Priority),
				args.add(c.LastMessageAt), args.add(c.Version), args.add(c.CreatedAt), args.add(c.UpdatedAt)}, ", ") + ")"
		}
		ids, err := t.int64s(ctx, `INSERT INTO conversations (id, number, channel_id, platform, contact_id, thread_key, subject, status,
			priority, last_message_at, version, created_at, updated_at) VALUES `+strings.Join(values, ", ")+
			` ON CONFLICT DO NOTHING RETURNING id`, args...)
		if err != nil {
			return nil, t.s.wrap(err, "opening conversations")
		}
		for _, id := range ids {
			opened[id] = true
		}
		rest = rest[n:]
	}
	var docs []searchDoc
	byPlatform := map[parley.Platform][]int64{}
	for _, ic := range fresh {
		if opened[ic.conv.ID] {
			docs = append(docs, searchDoc{ic.conv.ID, conversationTerms(ic.conv)})
			byPlatform[ic.conv.Platform] = append(byPlatform[ic.conv.Platform], ic.conv.ID)
		}
	}
	for platform, ids := range byPlatform {
		if err := t.tagConversations(ctx, ids, []string{parley.ChannelTag(platform)}); err != nil {
			return nil, err
		}
	}
	return opened, t.indexSearch(ctx, "conversation_search", docs, false)
}

// conversationTerms is what search indexes of a ticket: its subject and
// its number.
func conversationTerms(c *parley.Conversation) []string {
	return searchTerms(c.Subject, strconv.FormatInt(c.Number, 10))
}

// joinLostConversations points the tickets whose insert lost a race to the
// winner's active ticket.
func (b *ingestBatch) joinLostConversations(ctx context.Context, fresh []*ingestConversation, opened map[int64]bool) error {
	for _, ic := range fresh {
		if opened[ic.conv.ID] {
			continue
		}
		c := ic.conv
		convs, err := b.t.findActiveConversations(ctx, c.ChannelID, []int64{c.ContactID})
		if err != nil {
			return err
		}
		for _, winner := range convs {
			if winner.ThreadKey == c.ThreadKey {
				ic.conv, ic.created = winner, false
			}
		}
		if ic.created {
			return parley.Errorf(parley.EUNAVAILABLE, "conversation for contact %d on channel %d conflicted; retry", c.ContactID, c.ChannelID)
		}
	}
	return nil
}
