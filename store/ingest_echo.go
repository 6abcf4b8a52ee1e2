package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// echoMark flags a message stored from an echo (written by the account
// outside Parley, or echoed before its send was recorded): absorbEcho may
// remove it, never a message an agent or the API wrote.
const echoMark = "echo"

func withEchoMark(md map[string]string) map[string]string {
	out := make(map[string]string, len(md)+1)
	for k, v := range md {
		out[k] = v
	}
	out[echoMark] = "true"
	return out
}

// echoMetadataKey is where Messenger adapters put the metadata a send
// carried ("parley:<message id>"), echoed back by the platform.
const echoMetadataKey = "echo_metadata"

// adoptEchoes takes the echoes of messages Parley sent itself out of the
// batch. The echo webhook may beat the sender's write of the platform id,
// and would then be stored as a second outbound message: instead the
// echo's id is written onto the message it echoes (named by the send's
// metadata, or else the one reply to that customer being sent with the
// same text), which is then sent, and receipts held for the id apply.
func (b *ingestBatch) adoptEchoes(ctx context.Context) error {
	kept := b.messages[:0]
	for _, m := range b.messages {
		if m.ev.Direction != parley.DirectionOut || m.ev.ExternalID == "" {
			kept = append(kept, m)
			continue
		}
		own, dup, err := b.adoptEcho(ctx, m)
		switch {
		case err != nil:
			return err
		case dup:
			b.results[m.index] = parley.IngestResult{Duplicate: true, Message: own}
		case own != nil:
			b.results[m.index] = parley.IngestResult{Updated: []*parley.Message{own}}
		default:
			kept = append(kept, m)
		}
	}
	b.messages = kept
	return nil
}

// adoptEcho finds the message m echoes; dup means it already had its id
// (another part of a split reply).
func (b *ingestBatch) adoptEcho(ctx context.Context, m *ingestMessage) (own *parley.Message, dup bool, err error) {
	t, ev := b.t, m.ev
	var id int64
	if ref, ok := strings.CutPrefix(ev.Metadata[echoMetadataKey], "parley:"); ok {
		id, _ = strconv.ParseInt(ref, 10, 64)
	}
	if id > 0 {
		msg, err := t.findMessage(ctx, id)
		if parley.ErrorCode(err) == parley.ENOTFOUND || err == nil && (msg.ChannelID != ev.ChannelID || msg.Direction != parley.DirectionOut) {
			return nil, false, nil // another installation's metadata
		} else if err != nil {
			return nil, false, err
		}
		if msg.ExternalID != "" {
			return msg, true, nil
		}
	} else {
		contactID, known := b.identities[m.key]
		if !known {
			return nil, false, nil
		}
		// The IN repeats the outbox index's condition, which SQLite needs
		// to use it.
		err := t.queryRow(ctx, `SELECT id FROM messages WHERE status IN ('queued', 'sending') AND status = 'sending'
			AND channel_id = $1 AND contact_id = $2 AND direction = 'out' AND external_id = '' AND body = $3 ORDER BY id LIMIT 1`,
			ev.ChannelID, contactID, ev.Text).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, false, nil
		} else if err != nil {
			return nil, false, t.s.wrap(err, "matching echo %s", ev.ExternalID)
		}
	}
	at := eventTime(ev, t.now)
	msgs, err := t.queryMessages(ctx, `UPDATE messages SET external_id = $1,
		status = CASE WHEN status IN ('queued', 'sending') THEN 'sent' ELSE status END,
		sent_at = COALESCE(sent_at, $2), updated_at = $3 WHERE id = $4 AND external_id = '' RETURNING `+messageColumns,
		ev.ExternalID, at, t.now, id)
	if err != nil || len(msgs) == 0 {
		return nil, false, err
	}
	own, err = t.applyPendingReceipts(ctx, msgs[0])
	return own, false, err
}

// absorbEcho removes the echo of message id stored as a message of its own
// (it came before the send was recorded and matched nothing), so that the
// sender can record the platform id on the real message instead of
// failing on the unique (channel, id) and the reply being sent again.
func (t *tx) absorbEcho(ctx context.Context, id int64, externalID string) error {
	var echoID int64
	err := t.queryRow(ctx, `SELECT e.id FROM messages e JOIN messages m ON m.id = $1 AND e.channel_id = m.channel_id
		WHERE e.external_id <> '' AND e.external_id = $2 AND e.id <> m.id AND e.direction = 'out' AND e.author_agent_id IS NULL
		AND e.metadata LIKE $3`, id, externalID, `%"`+echoMark+`":"true"%`).Scan(&echoID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return t.s.wrap(err, "looking for an echo of message %d", id)
	}
	if _, err := t.exec(ctx, `DELETE FROM message_search WHERE rowid = $1`, echoID); err != nil {
		return t.s.wrap(err, "unindexing echo %d", echoID)
	}
	_, err = t.exec(ctx, `DELETE FROM messages WHERE id = $1`, echoID)
	return t.s.wrap(err, "removing echo %d", echoID)
}
