package store

import (
	"context"
	"slices"

	"github.com/parleyhq/parley/identity"
)

// timelineLimit bounds the messages of the 360 view's timeline.
const timelineLimit = 200

// Contact360 gathers everything known about a contact: identities,
// claims, every ticket on every channel, the latest messages of all of
// them as one timeline, ticket links and the repeat count, consent, and
// CSAT (empty until surveys exist). Data from the company's own systems
// (External) is added by the caller, which owns the HTTP client.
func (s *Store) Contact360(ctx context.Context, contactID int64) (*identity.View360, error) {
	v := &identity.View360{CSAT: identity.NoSurveys()}
	err := s.read(ctx, func(t *tx) (err error) {
		if v.Contact, err = t.findContact(ctx, contactID); err != nil {
			return err
		}
		if v.Claims, err = t.findClaims(ctx, contactID); err != nil {
			return err
		}
		if v.Conversations, err = t.queryConversations(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE contact_id = $1
			ORDER BY last_message_at DESC, id DESC`, contactID); err != nil {
			return err
		}
		for _, c := range v.Conversations {
			c.Contact = nil // the contact is at the top
		}
		if v.Timeline, err = t.timeline(ctx, contactID); err != nil {
			return err
		}
		if v.Links, err = t.contactLinks(ctx, contactID); err != nil {
			return err
		}
		for _, l := range v.Links {
			if l.Reason == identity.LinkRepeat {
				v.RepeatCount++
			}
		}
		v.Consents, err = t.consentsOf(ctx, contactID)
		return err
	})
	return v, err
}

// timeline is the latest messages of all the contact's tickets, oldest first.
// An entry's time is when the message was written (sent_at: the platform's
// timestamp for inbound mail and chats), not when this node stored it: a
// backlog imported at once would otherwise all read "now".
func (t *tx) timeline(ctx context.Context, contactID int64) ([]identity.TimelineEntry, error) {
	rows, err := t.query(ctx, `SELECT m.id, m.conversation_id, m.channel_id, m.platform, m.direction, m.kind, m.body,
		COALESCE(m.sent_at, m.created_at) AS at
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.contact_id = $1 ORDER BY at DESC, m.id DESC LIMIT $2`, contactID, timelineLimit)
	if err != nil {
		return nil, t.s.wrap(err, "loading timeline")
	}
	defer rows.Close()
	out := []identity.TimelineEntry{}
	for rows.Next() {
		var e identity.TimelineEntry
		if err := rows.Scan(&e.MessageID, &e.ConversationID, &e.ChannelID, &e.Platform, &e.Direction, &e.Kind, &e.Body, timeCol{&e.At}); err != nil {
			return nil, t.s.wrap(err, "scanning timeline")
		}
		out = append(out, e)
	}
	slices.Reverse(out)
	return out, t.s.wrap(rows.Err(), "loading timeline")
}

// contactLinks lists the links of the contact's tickets.
func (t *tx) contactLinks(ctx context.Context, contactID int64) ([]identity.Link, error) {
	rows, err := t.query(ctx, `SELECT l.conversation_id, l.linked_id, l.reason, l.created_at FROM conversation_links l
		JOIN conversations c ON c.id = l.conversation_id WHERE c.contact_id = $1 ORDER BY l.created_at, l.conversation_id`, contactID)
	if err != nil {
		return nil, t.s.wrap(err, "loading ticket links")
	}
	defer rows.Close()
	out := []identity.Link{}
	for rows.Next() {
		var l identity.Link
		if err := rows.Scan(&l.ConversationID, &l.LinkedID, &l.Reason, timeCol{&l.CreatedAt}); err != nil {
			return nil, t.s.wrap(err, "scanning ticket link")
		}
		out = append(out, l)
	}
	return out, t.s.wrap(rows.Err(), "loading ticket links")
}

// FindConversationLinks lists the links of one ticket, both directions.
func (s *Store) FindConversationLinks(ctx context.Context, conversationID int64) ([]identity.Link, error) {
	var out []identity.Link
	err := s.read(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT conversation_id, linked_id, reason, created_at FROM conversation_links
			WHERE conversation_id = $1 OR linked_id = $1 ORDER BY created_at, conversation_id`, conversationID)
		if err != nil {
			return t.s.wrap(err, "loading ticket links")
		}
		defer rows.Close()
		out = []identity.Link{}
		for rows.Next() {
			var l identity.Link
			if err := rows.Scan(&l.ConversationID, &l.LinkedID, &l.Reason, timeCol{&l.CreatedAt}); err != nil {
				return t.s.wrap(err, "scanning ticket link")
			}
			out = append(out, l)
		}
		return t.s.wrap(rows.Err(), "loading ticket links")
	})
	return out, err
}
