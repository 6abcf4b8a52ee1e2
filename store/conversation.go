package store

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
)

const conversationColumns = `id, number, channel_id, platform, contact_id, thread_key, subject, status, priority,
	assignee_id, team_id, language, attributes, snoozed_until, last_message_at, last_inbound_at, waiting_since,
	last_preview, unread_count, version, created_at, updated_at, resolved_at`

func scanConversation(r rowScanner) (*parley.Conversation, error) {
	c := &parley.Conversation{Tags: []string{}}
	err := r.Scan(&c.ID, &c.Number, &c.ChannelID, &c.Platform, &c.ContactID, &c.ThreadKey, &c.Subject, &c.Status, &c.Priority,
		nullIDCol{&c.AssigneeID}, nullIDCol{&c.TeamID}, &c.Language, jsonCol{&c.Attributes}, nullTimeCol{&c.SnoozedUntil},
		timeCol{&c.LastMessageAt}, nullTimeCol{&c.LastInboundAt}, nullTimeCol{&c.WaitingSince},
		&c.LastPreview, &c.UnreadCount, &c.Version, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, nullTimeCol{&c.ResolvedAt})
	return c, err
}

// FindConversationByID returns a ticket with its tags and contact.
func (s *Store) FindConversationByID(ctx context.Context, id int64) (*parley.Conversation, error) {
	var c *parley.Conversation
	err := s.read(ctx, func(t *tx) (err error) {
		c, err = t.findConversation(ctx, id)
		return err
	})
	return c, err
}

func (t *tx) findConversation(ctx context.Context, id int64) (*parley.Conversation, error) {
	convs, err := t.queryConversations(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(convs) == 0 {
		return nil, parley.Errorf(parley.ENOTFOUND, "conversation %d not found", id)
	}
	return convs[0], nil
}

// queryConversations runs a conversation query and fills tags and contacts.
func (t *tx) queryConversations(ctx context.Context, q string, args ...any) ([]*parley.Conversation, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.s.wrap(err, "loading conversations")
	}
	defer rows.Close()
	convs := []*parley.Conversation{}
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, t.s.wrap(err, "scanning conversation")
		}
		convs = append(convs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, t.s.wrap(err, "loading conversations")
	}
	rows.Close()
	return convs, t.fillConversations(ctx, convs)
}

// fillConversations loads the tags and contacts of a page of tickets in
// two queries.
func (t *tx) fillConversations(ctx context.Context, convs []*parley.Conversation) error {
	if len(convs) == 0 {
		return nil
	}
	if err := t.fillConversationTags(ctx, convs); err != nil {
		return err
	}
	contactIDs := make([]int64, 0, len(convs))
	for _, c := range convs {
		contactIDs = append(contactIDs, c.ContactID)
	}
	contacts, err := t.findContactsByID(ctx, contactIDs)
	if err != nil {
		return err
	}
	for _, c := range convs {
		c.Contact = contacts[c.ContactID]
	}
	return nil
}

// defaultCountStatuses are the statuses the inbox badges count when the
// caller names none: the tickets that need work.
var defaultCountStatuses = []parley.Status{parley.StatusOpen, parley.StatusPending}

// CountConversations returns the badge numbers of the inbox views for an
// agent, over the given statuses (open and pending when none are given).
// Each number is its own count so that each can be answered from an index
// (unassigned = all − assigned: the assignee index only holds assigned
// tickets), instead of one pass over every open ticket.
func (s *Store) CountConversations(ctx context.Context, agentID int64, statuses []parley.Status) (parley.ConversationCounts, error) {
	if len(statuses) == 0 {
		statuses = defaultCountStatuses
	}
	var counts parley.ConversationCounts
	var assigned int
	err := s.read(ctx, func(t *tx) error {
		queries := []struct {
			where string
			agent bool
			into  *int
		}{
			{"", false, &counts.All},
			{"assignee_id = $1 AND ", true, &counts.Mine},
			{"assignee_id IS NOT NULL AND ", false, &assigned},
			{"team_id IN (SELECT team_id FROM team_members WHERE agent_id = $1) AND ", true, &counts.MyTeams},
		}
		for _, q := range queries {
			var args argList
			if q.agent {
				args.add(agentID)
			}
			sql := `SELECT COUNT(*) FROM conversations WHERE ` + q.where + `status IN ` + in(&args, statuses)
			if err := t.queryRow(ctx, sql, args...).Scan(q.into); err != nil {
				return s.wrap(err, "counting conversations")
			}
		}
		return nil
	})
	counts.Unassigned = counts.All - assigned
	return counts, err
}

// tagConversations adds tags to tickets, creating the tags as needed.
func (t *tx) tagConversations(ctx context.Context, ids []int64, tags []string) error {
	if len(ids) == 0 || len(tags) == 0 {
		return nil
	}
	if err := t.ensureTags(ctx, tags); err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), 400)
		var args argList
		values := make([]string, 0, n*len(tags))
		for _, id := range ids[:n] {
			for _, tag := range tags {
				values = append(values, "("+args.add(id)+", "+args.add(tag)+")")
			}
		}
		if _, err := t.exec(ctx, `INSERT INTO conversation_tags (conversation_id, tag) VALUES `+strings.Join(values, ", ")+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return t.s.wrap(err, "tagging conversations")
		}
		ids = ids[n:]
	}
	return nil
}
