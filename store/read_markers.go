package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/parleyhq/parley"
)

// MarkConversationRead records that an agent has read a conversation up
// to messageID. The position only moves forward: a stale tab reporting an
// older message changes nothing.
func (s *Store) MarkConversationRead(ctx context.Context, conversationID, agentID, messageID int64) error {
	return s.write(ctx, func(t *tx) error {
		var found int64
		err := t.queryRow(ctx, `SELECT id FROM messages WHERE id = $1 AND conversation_id = $2`, messageID, conversationID).Scan(&found)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return parley.Errorf(parley.EINVALID, "message %d is not a message of conversation %d", messageID, conversationID)
		case err != nil:
			return t.s.wrap(err, "checking message %d", messageID)
		}
		_, err = t.exec(ctx, `INSERT INTO conversation_reads (conversation_id, agent_id, message_id, read_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (conversation_id, agent_id) DO UPDATE SET message_id = excluded.message_id, read_at = excluded.read_at
			WHERE conversation_reads.message_id < excluded.message_id`, conversationID, agentID, messageID, t.now)
		return t.s.wrap(err, "recording read position")
	})
}

// ConversationReadPosition is the last message an agent has read in a
// conversation; 0 when they never read it.
func (s *Store) ConversationReadPosition(ctx context.Context, conversationID, agentID int64) (int64, error) {
	var id int64
	err := s.read(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `SELECT message_id FROM conversation_reads WHERE conversation_id = $1 AND agent_id = $2`,
			conversationID, agentID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return t.s.wrap(err, "loading read position")
	})
	return id, err
}

// UnreadConversations reports which of the conversations hold a customer
// message newer than the agent's read position: one query for a whole
// inbox page. Each check walks the (conversation_id, id) index from the
// marker on, so a read ticket costs one index probe.
func (s *Store) UnreadConversations(ctx context.Context, agentID int64, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var args argList
	agent := args.add(agentID)
	q := `SELECT c.id FROM conversations c
		LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.agent_id = ` + agent + `
		WHERE c.id IN ` + in(&args, ids) + ` AND c.last_inbound_at IS NOT NULL
		AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.id > COALESCE(r.message_id, 0) AND m.direction = 'in')`
	err := s.read(ctx, func(t *tx) error {
		unread, err := t.int64s(ctx, q, args...)
		for _, id := range unread {
			out[id] = true
		}
		return t.s.wrap(err, "checking unread conversations")
	})
	return out, err
}

// ClaimReadReceipt picks the customer message whose read receipt the
// platform should get once an agent has read up to upTo: the newest
// inbound message with a platform id at or before it (marking it read
// marks the earlier ones too). It claims it, so each message is reported
// at most once, however many agents or nodes read it; ok is false when
// there is nothing new to report.
func (s *Store) ClaimReadReceipt(ctx context.Context, conversationID, upTo, agentID int64) (m *parley.Message, ok bool, err error) {
	err = s.write(ctx, func(t *tx) error {
		msgs, err := t.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages WHERE conversation_id = $1 AND id <= $2
			AND direction = 'in' AND external_id <> '' ORDER BY id DESC LIMIT 1`, conversationID, upTo)
		if err != nil || len(msgs) == 0 {
			return err
		}
		var newer int64
		err = t.queryRow(ctx, `SELECT count(*) FROM messages m JOIN message_read_receipts r ON r.message_id = m.id
			WHERE m.conversation_id = $1 AND m.id >= $2`, conversationID, msgs[0].ID).Scan(&newer)
		if err != nil || newer > 0 {
			return t.s.wrap(err, "checking read receipts")
		}
		n, err := t.exec(ctx, `INSERT INTO message_read_receipts (message_id, agent_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, msgs[0].ID, nullAgent(agentID), t.now)
		if err != nil {
			return t.s.wrap(err, "claiming read receipt")
		}
		m, ok = msgs[0], n == 1
		return nil
	})
	if err != nil || !ok {
		return nil, false, err
	}
	return m, true, nil
}
