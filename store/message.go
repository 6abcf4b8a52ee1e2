package store

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

const messageInsertColumns = `conversation_id, channel_id, platform, direction, kind, body, attachments, author_agent_id,
	contact_id, external_id, reply_to, status, failure_code, failure_reason, attempts, next_attempt_at, metadata, sent_at,
	created_at, updated_at`

const messageColumns = `id, ` + messageInsertColumns

func scanMessage(r rowScanner) (*parley.Message, error) {
	m := &parley.Message{}
	err := r.Scan(&m.ID, &m.ConversationID, &m.ChannelID, &m.Platform, &m.Direction, &m.Kind, &m.Body, jsonCol{&m.Attachments},
		nullIDCol{&m.AuthorAgentID}, nullIDCol{&m.ContactID}, &m.ExternalID, &m.ReplyToID, &m.Status, &m.FailureCode,
		&m.FailureReason, &m.Attempts, nullTimeCol{&m.NextAttemptAt}, jsonCol{&m.Metadata}, nullTimeCol{&m.SentAt},
		timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt})
	return m, err
}

// messageValues are the insert arguments of m, in messageInsertColumns order.
func messageValues(m *parley.Message) []any {
	return []any{m.ConversationID, m.ChannelID, m.Platform, m.Direction, m.Kind, m.Body, jsonText(m.Attachments),
		nullID(m.AuthorAgentID), nullID(m.ContactID), m.ExternalID, m.ReplyToID, m.Status, m.FailureCode, m.FailureReason,
		m.Attempts, m.NextAttemptAt, jsonText(m.Metadata), m.SentAt, m.CreatedAt, m.UpdatedAt}
}

// messageTerms is what search indexes of a message: the words people
// wrote, not activity lines.
func messageTerms(m *parley.Message) []string {
	if m.Kind == parley.KindActivity {
		return nil
	}
	texts := []string{m.Body}
	for _, a := range m.Attachments {
		texts = append(texts, a.Filename, a.Caption)
	}
	return searchTerms(texts...)
}

// previewRunes bounds the last-message preview kept on a ticket.
const previewRunes = 140

func preview(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(body) <= previewRunes {
		return body
	}
	return string([]rune(body)[:previewRunes-1]) + "…"
}

// FindMessageByID returns one message.
func (s *Store) FindMessageByID(ctx context.Context, id int64) (*parley.Message, error) {
	var m *parley.Message
	err := s.read(ctx, func(t *tx) (err error) {
		m, err = t.findMessage(ctx, id)
		return err
	})
	return m, err
}

func (t *tx) findMessage(ctx context.Context, id int64) (*parley.Message, error) {
	m, err := scanMessage(t.queryRow(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	if err != nil {
		return nil, t.s.notFound(err, "message", id)
	}
	return m, nil
}

func (t *tx) queryMessages(ctx context.Context, q string, args ...any) ([]*parley.Message, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.s.wrap(err, "loading messages")
	}
	defer rows.Close()
	msgs := []*parley.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, t.s.wrap(err, "scanning message")
		}
		msgs = append(msgs, m)
	}
	return msgs, t.s.wrap(rows.Err(), "loading messages")
}

type messageCursor struct {
	ID int64 `json:"id"`
}

// FindMessages lists a ticket's thread, oldest first.
func (s *Store) FindMessages(ctx context.Context, f parley.MessageFilter) ([]*parley.Message, string, error) {
	f.Page = f.Page.Normalize()
	var after int64
	if f.Cursor != "" {
		var cur messageCursor
		if err := decodeCursor(f.Cursor, &cur); err != nil {
			return nil, "", err
		}
		after = cur.ID
	}
	var msgs []*parley.Message
	err := s.read(ctx, func(t *tx) (err error) {
		msgs, err = t.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
			f.ConversationID, after, f.Limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(msgs) > f.Limit {
		msgs = msgs[:f.Limit]
		next = encodeCursor(messageCursor{ID: msgs[len(msgs)-1].ID})
	}
	return msgs, next, nil
}

// CreateMessage stores an agent's reply (queued: the row is the outbox), a
// note or an activity line in a ticket, and bumps the ticket.
func (s *Store) CreateMessage(ctx context.Context, m *parley.Message) error {
	if m.Kind == "" {
		m.Kind = parley.KindText
	}
	return s.write(ctx, func(t *tx) error {
		conv, err := t.findConversation(ctx, m.ConversationID)
		if err != nil {
			return err
		}
		prepareMessage(m, conv, t.now)
		if err := t.insertMessage(ctx, m); err != nil {
			return err
		}
		if err := t.bindReplyFiles(ctx, m); err != nil {
			return err
		}
		return t.bumpForMessage(ctx, conv, m)
	})
}

// prepareMessage fills what a stored message takes from its ticket and
// the moment: internal kinds are never sent; replies start queued.
func prepareMessage(m *parley.Message, conv *parley.Conversation, now time.Time) {
	m.ChannelID, m.Platform = conv.ChannelID, conv.Platform
	m.CreatedAt, m.UpdatedAt = now, now
	switch {
	case m.Kind == parley.KindNote || m.Kind == parley.KindActivity:
		m.Direction, m.Status = parley.DirectionInternal, parley.MessageSent
	case m.Direction == parley.DirectionIn:
		if m.Status == "" {
			m.Status = parley.MessageReceived
		}
	default:
		m.Direction = parley.DirectionOut
		if m.Status == "" || m.Status == parley.MessageQueued {
			m.Status = parley.MessageQueued
			if m.NextAttemptAt == nil {
				m.NextAttemptAt = &now
			}
		}
	}
}

func (t *tx) insertMessage(ctx context.Context, m *parley.Message) error {
	err := t.queryRow(ctx, `INSERT INTO messages (`+messageInsertColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id`,
		messageValues(m)...).Scan(&m.ID)
	if t.s.d.isUniqueViolation(err) {
		return parley.Errorf(parley.ECONFLICT, "message %q already exists on channel %d", m.ExternalID, m.ChannelID)
	} else if err != nil {
		return t.s.wrap(err, "storing message")
	}
	if terms := messageTerms(m); len(terms) > 0 {
		return t.indexSearch(ctx, "message_search", []searchDoc{{m.ID, terms}}, false)
	}
	return nil
}

// bumpForMessage moves a ticket after a message an agent wrote: a reply
// to the customer updates the preview and means nobody is waiting any more.
func (t *tx) bumpForMessage(ctx context.Context, conv *parley.Conversation, m *parley.Message) error {
	if m.Direction != parley.DirectionOut {
		return nil
	}
	q := `UPDATE conversations SET last_message_at = $1, last_preview = $2, version = version + 1, updated_at = $1`
	if m.AuthorAgentID != nil {
		q += `, waiting_since = NULL`
	}
	_, err := t.exec(ctx, q+` WHERE id = $3`, t.now, preview(m.Body), conv.ID)
	return t.s.wrap(err, "updating conversation %d", conv.ID)
}

// ClaimMessage moves a queued message to sending; only one caller wins.
func (s *Store) ClaimMessage(ctx context.Context, id int64) (bool, error) {
	var claimed bool
	err := s.write(ctx, func(t *tx) error {
		n, err := t.exec(ctx, `UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_at = $1
			WHERE id = $2 AND status = 'queued'`, t.now, id)
		claimed = n == 1
		return s.wrap(err, "claiming message %d", id)
	})
	return claimed, err
}

// statusRank is MessageStatus.Rank in SQL.
const statusRank = `CASE status WHEN 'queued' THEN 1 WHEN 'sending' THEN 2 WHEN 'sent' THEN 3
	WHEN 'delivered' THEN 4 WHEN 'read' THEN 5 ELSE 0 END`

// UpdateMessageStatus records a send outcome or a receipt. The status only
// moves forward (or to failed); otherwise the message is returned as it is.
func (s *Store) UpdateMessageStatus(ctx context.Context, upd parley.StatusUpdate) (*parley.Message, error) {
	if upd.Status.Rank() == 0 && upd.Status != parley.MessageFailed {
		return nil, parley.Errorf(parley.EINVALID, "cannot move a message to status %q", upd.Status)
	}
	var m *parley.Message
	err := s.write(ctx, func(t *tx) error {
		at := upd.At
		if at.IsZero() {
			at = t.now
		}
		send, inFlight, err := t.findPendingSend(ctx, upd.MessageID)
		if err != nil {
			return err
		}
		recordsSend := inFlight && upd.Status != parley.MessageFailed && upd.Status.Rank() >= parley.MessageSent.Rank()
		if recordsSend {
			if err := t.lockWatermark(ctx, send.channelID, send.contactID); err != nil {
				return err
			}
		}
		if upd.ExternalID != "" {
			if err := t.absorbEcho(ctx, upd.MessageID, upd.ExternalID); err != nil {
				return err
			}
		}
		var args argList
		q := `UPDATE messages SET status = ` + args.add(upd.Status) + `, updated_at = ` + args.add(t.now)
		if upd.ExternalID != "" {
			q += `, external_id = ` + args.add(upd.ExternalID)
		}
		if upd.Status == parley.MessageFailed {
			q += `, failure_code = ` + args.add(upd.FailureCode) + `, failure_reason = ` + args.add(upd.FailureReason)
		}
		if upd.Status.Rank() >= parley.MessageSent.Rank() {
			q += `, sent_at = COALESCE(sent_at, ` + args.add(at) + `)`
		}
		q += ` WHERE id = ` + args.add(upd.MessageID) + ` AND ` + forwardOnly(upd.Status, &args)
		_, err = t.exec(ctx, q, args...)
		if s.d.isUniqueViolation(err) {
			return parley.Errorf(parley.ECONFLICT, "external id %q is already used on this channel", upd.ExternalID)
		} else if err != nil {
			return s.wrap(err, "updating status of message %d", upd.MessageID)
		}
		if m, err = t.findMessage(ctx, upd.MessageID); err != nil {
			return err
		}
		if upd.ExternalID != "" && m.ExternalID == upd.ExternalID {
			if m, err = t.applyPendingReceipts(ctx, m); err != nil {
				return err
			}
		}
		if recordsSend {
			m, err = t.applyWatermarks(ctx, m, send)
		}
		return err
	})
	return m, err
}

// forwardOnly is the condition that status may move to next.
func forwardOnly(next parley.MessageStatus, args *argList) string {
	if next == parley.MessageFailed {
		return `status <> 'failed'`
	}
	return `(` + statusRank + `) < ` + args.add(next.Rank()) + ` AND status <> 'failed'`
}

// RequeueMessage puts a message back in the outbox for a retry at next.
func (s *Store) RequeueMessage(ctx context.Context, id int64, next time.Time, reason string) error {
	return s.write(ctx, func(t *tx) error {
		n, err := t.exec(ctx, `UPDATE messages SET status = 'queued', next_attempt_at = $1, failure_reason = $2, updated_at = $3
			WHERE id = $4 AND status IN ('queued', 'sending', 'failed') AND direction = 'out'`, next, reason, t.now, id)
		if err != nil {
			return s.wrap(err, "requeueing message %d", id)
		}
		if n == 0 {
			m, err := t.findMessage(ctx, id)
			if err != nil {
				return err
			}
			return parley.Errorf(parley.ECONFLICT, "message %d is %s and cannot be requeued", id, m.Status)
		}
		return nil
	})
}

// FindStaleOutbound lists outbox rows to (re)publish: queued and due, or
// stuck in sending since before staleBefore (a sender crashed).
//
// The first condition repeats the WHERE of the partial index messages_outbox
// on purpose: SQLite uses a partial index only when the query states its
// condition, and without it this ran as a scan of every message (771 ms
// with a million, every sweep).
func (s *Store) FindStaleOutbound(ctx context.Context, now, staleBefore time.Time, limit int) ([]*parley.Message, error) {
	if limit <= 0 {
		limit = parley.DefaultPageLimit
	}
	var msgs []*parley.Message
	err := s.read(ctx, func(t *tx) (err error) {
		msgs, err = t.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages
			WHERE status IN ('queued', 'sending')
			  AND ((status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND updated_at < $2))
			ORDER BY id LIMIT $3`, now, staleBefore, limit)
		return err
	})
	return msgs, err
}
