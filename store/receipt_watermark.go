package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
)

// Messenger's read receipts name no message, only a time: everything the
// customer was sent up to the watermark is read. A read that arrives
// before the sender recorded the send moves nothing, so the latest
// delivery and read watermarks per customer and channel are kept, and a
// send recorded later takes its status from them.
//
// The platform stamps the watermark with its own clock, after our send
// started; our sent_at is stamped when the send is recorded, later still.
// So a send is compared by when it was claimed (the row's updated_at while
// queued or sending): a watermark at or after that covers it. The cost is
// a message that reached the platform after a watermark set in the
// latency of its own send: it shows one status too far.

// keepWatermark records ev's watermark for the customer unless a later
// one is kept already.
func (b *ingestBatch) keepWatermark(ctx context.Context, ev *parley.InboundEvent, contactID int64) error {
	if ev.Status.Rank() <= parley.MessageSent.Rank() {
		return nil
	}
	_, err := b.t.exec(ctx, `INSERT INTO receipt_watermarks (channel_id, contact_id, status, watermark, received_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel_id, contact_id, status) DO UPDATE
		SET watermark = excluded.watermark, received_at = excluded.received_at
		WHERE receipt_watermarks.watermark < excluded.watermark`,
		ev.ChannelID, contactID, ev.Status, *ev.Watermark, b.t.now)
	return b.t.s.wrap(err, "keeping the receipt watermark")
}

// lockWatermark serialises, per customer and channel, the receipt that
// keeps a watermark and the sender that records a send: without it each
// could miss the other's uncommitted write (PostgreSQL; SQLite has one
// writer).
func (t *tx) lockWatermark(ctx context.Context, channelID, contactID int64) error {
	q := t.s.d.keyLock()
	if q == "" {
		return nil
	}
	_, err := t.exec(ctx, q, "wm:"+strconv.FormatInt(channelID, 10)+":"+strconv.FormatInt(contactID, 10))
	return t.s.wrap(err, "locking the receipt watermark")
}

// pendingSend is an outbound message whose send is not recorded yet.
type pendingSend struct {
	channelID, contactID int64
	claimedAt            time.Time
}

// findPendingSend reads what the watermarks need of message id, and
// false when it is not an outbound message in flight.
func (t *tx) findPendingSend(ctx context.Context, id int64) (pendingSend, bool, error) {
	var p pendingSend
	err := t.queryRow(ctx, `SELECT m.channel_id, c.contact_id, m.updated_at FROM messages m
		JOIN conversations c ON c.id = m.conversation_id
		WHERE m.id = $1 AND m.direction = 'out' AND m.status IN ('queued', 'sending')`, id).
		Scan(&p.channelID, &p.contactID, timeCol{&p.claimedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, t.s.wrap(err, "reading message %d", id)
}

// applyWatermarks moves m to the furthest status whose kept watermark
// covers its send, and returns m as it now is.
func (t *tx) applyWatermarks(ctx context.Context, m *parley.Message, p pendingSend) (*parley.Message, error) {
	if m.Status == parley.MessageFailed || m.Status.Rank() < parley.MessageSent.Rank() {
		return m, nil
	}
	rows, err := t.query(ctx, `SELECT status FROM receipt_watermarks
		WHERE channel_id = $1 AND contact_id = $2 AND watermark >= $3`, p.channelID, p.contactID, p.claimedAt)
	if err != nil {
		return nil, t.s.wrap(err, "reading receipt watermarks")
	}
	var best parley.MessageStatus
	for rows.Next() {
		var s parley.MessageStatus
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, t.s.wrap(err, "scanning receipt watermark")
		}
		if s.Rank() > best.Rank() {
			best = s
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, t.s.wrap(err, "reading receipt watermarks")
	}
	if !canMove(m.Status, best) || best.Rank() == 0 {
		return m, nil
	}
	var args argList
	q := `UPDATE messages SET status = ` + args.add(best) + `, updated_at = ` + args.add(t.now) +
		` WHERE id = ` + args.add(m.ID) + ` AND ` + forwardOnly(best, &args)
	if _, err := t.exec(ctx, q, args...); err != nil {
		return nil, t.s.wrap(err, "applying receipt watermark to message %d", m.ID)
	}
	return t.findMessage(ctx, m.ID)
}
