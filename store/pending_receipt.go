package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// A platform may report a message delivered (or failed) before the sender
// has written down the id the platform gave it: the send's answer and the
// receipt webhook race. Such receipts wait in pending_receipts and are
// applied when the id is recorded; ExpirePendingReceipts drops the ones
// no message ever claims (messages sent by other tools on the account).

// applyTargets moves the channel's outbound messages with the given ids.
func (b *ingestBatch) applyTargets(ctx context.Context, ev *parley.InboundEvent, ids []string) ([]*parley.Message, error) {
	var args argList
	set := b.receiptSet(ev, &args)
	// external_id <> '' repeats the partial index's condition: SQLite
	// uses messages_external only when the query states it, and scanned
	// every message per receipt without it.
	q := `UPDATE messages SET ` + set + ` WHERE channel_id = ` + args.add(ev.ChannelID) +
		` AND external_id <> '' AND external_id IN ` + in(&args, ids) + ` AND direction = 'out' AND ` + forwardOnly(ev.Status, &args) +
		` RETURNING ` + messageColumns
	return b.t.queryMessages(ctx, q, args...)
}

// holdUnknownReceipt keeps the receipt for the targets that moved no
// message, when no message has their id yet. A sender recording an id
// takes the same lock first, so either it sees the pending row or the
// second try here sees its id (PostgreSQL; SQLite has one writer anyway).
// Usually the targets are known and already further on (a late "sent"):
// then it costs one indexed read.
func (b *ingestBatch) holdUnknownReceipt(ctx context.Context, ev *parley.InboundEvent, moved []*parley.Message) ([]*parley.Message, error) {
	t := b.t
	done := make(map[string]bool, len(moved))
	for _, m := range moved {
		done[m.ExternalID] = true
	}
	var rest []string
	for _, id := range ev.Targets {
		if !done[id] {
			rest = append(rest, id)
		}
	}
	known, err := t.externalIDStates(ctx, ev.ChannelID, rest)
	if err != nil {
		return nil, err
	}
	// Ids a sender committed after the first try: try them again.
	var retry []string
	for _, k := range known {
		done[k.id] = true
		if k.direction == parley.DirectionOut && canMove(k.status, ev.Status) {
			retry = append(retry, k.id)
		}
	}
	var recorded []*parley.Message
	if len(retry) > 0 {
		if recorded, err = b.applyTargets(ctx, ev, retry); err != nil {
			return nil, err
		}
	}
	var missing []string
	for _, id := range rest {
		if !done[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return recorded, nil
	}
	if err := t.lockExternalIDs(ctx, ev.ChannelID, missing); err != nil {
		return nil, err
	}
	late, err := b.applyTargets(ctx, ev, missing)
	if err != nil {
		return nil, err
	}
	recorded = append(recorded, late...)
	if missing, err = t.unknownExternalIDs(ctx, ev.ChannelID, missing); err != nil || len(missing) == 0 {
		return recorded, err
	}
	var args argList
	values := make([]string, len(missing))
	for i, id := range missing {
		values[i] = "(" + args.add(ev.ChannelID) + ", " + args.add(id) + ", " + args.add(ev.Status) + ", " +
			args.add(ev.FailureCode) + ", " + args.add(ev.FailureReason) + ", " + args.add(t.now) + ")"
	}
	_, err = t.exec(ctx, `INSERT INTO pending_receipts (channel_id, external_id, status, failure_code, failure_reason, received_at)
		VALUES `+strings.Join(values, ", ")+` ON CONFLICT (channel_id, external_id, status) DO NOTHING`, args...)
	return recorded, t.s.wrap(err, "keeping receipts of unknown messages")
}

// idState is what a receipt needs to know of a message.
type idState struct {
	id        string
	status    parley.MessageStatus
	direction parley.Direction
}

// externalIDStates reads the status of the channel's messages with ids,
// and nothing else: late receipts of known messages are the common case.
func (t *tx) externalIDStates(ctx context.Context, channelID int64, ids []string) ([]idState, error) {
	var args argList
	rows, err := t.query(ctx, `SELECT external_id, status, direction FROM messages WHERE channel_id = `+args.add(channelID)+
		` AND external_id <> '' AND external_id IN `+in(&args, ids), args...)
	if err != nil {
		return nil, t.s.wrap(err, "reading message states")
	}
	defer rows.Close()
	var out []idState
	for rows.Next() {
		var k idState
		if err := rows.Scan(&k.id, &k.status, &k.direction); err != nil {
			return nil, t.s.wrap(err, "scanning message state")
		}
		out = append(out, k)
	}
	return out, t.s.wrap(rows.Err(), "reading message states")
}

// canMove mirrors forwardOnly: whether a receipt of status next moves a
// message in status cur.
func canMove(cur, next parley.MessageStatus) bool {
	if next == parley.MessageFailed {
		return cur != parley.MessageFailed
	}
	return cur != parley.MessageFailed && cur.Rank() < next.Rank()
}

// unknownExternalIDs returns the ids of ids no message of the channel has.
func (t *tx) unknownExternalIDs(ctx context.Context, channelID int64, ids []string) ([]string, error) {
	known, err := t.findMessagesByExternalID(ctx, channelID, ids)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(known))
	for _, m := range known {
		have[m.ExternalID] = true
	}
	var out []string
	for _, id := range ids {
		if !have[id] && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// lockExternalIDs serialises, per platform id, the receipt that finds no
// message and the sender that records the id.
func (t *tx) lockExternalIDs(ctx context.Context, channelID int64, ids []string) error {
	q := t.s.d.keyLock()
	if q == "" {
		return nil
	}
	sorted := slices.Sorted(slices.Values(ids))
	for _, id := range slices.Compact(sorted) {
		if _, err := t.exec(ctx, q, "ext:"+strconv.FormatInt(channelID, 10)+":"+id); err != nil {
			return t.s.wrap(err, "locking message id %s", id)
		}
	}
	return nil
}

// applyPendingReceipts applies the receipts that arrived for m's platform
// id before it was recorded, and returns m as it now is.
func (t *tx) applyPendingReceipts(ctx context.Context, m *parley.Message) (*parley.Message, error) {
	if m.ExternalID == "" || m.Direction != parley.DirectionOut {
		return m, nil
	}
	if err := t.lockExternalIDs(ctx, m.ChannelID, []string{m.ExternalID}); err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, `DELETE FROM pending_receipts WHERE channel_id = $1 AND external_id = $2
		RETURNING status, failure_code, failure_reason`, m.ChannelID, m.ExternalID)
	if err != nil {
		return nil, t.s.wrap(err, "taking pending receipts")
	}
	var best *parley.StatusUpdate
	for rows.Next() {
		var u parley.StatusUpdate
		if err := rows.Scan(&u.Status, &u.FailureCode, &u.FailureReason); err != nil {
			rows.Close()
			return nil, t.s.wrap(err, "scanning pending receipt")
		}
		if best == nil || best.Status != parley.MessageFailed && (u.Status == parley.MessageFailed || u.Status.Rank() > best.Status.Rank()) {
			best = &u
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, t.s.wrap(err, "taking pending receipts")
	}
	if best == nil {
		return m, nil
	}
	var args argList
	q := `UPDATE messages SET status = ` + args.add(best.Status) + `, updated_at = ` + args.add(t.now) +
		`, sent_at = COALESCE(sent_at, ` + args.add(t.now) + `)`
	if best.Status == parley.MessageFailed {
		q += `, failure_code = ` + args.add(best.FailureCode) + `, failure_reason = ` + args.add(best.FailureReason)
	}
	q += ` WHERE id = ` + args.add(m.ID) + ` AND ` + forwardOnly(best.Status, &args)
	if _, err := t.exec(ctx, q, args...); err != nil {
		return nil, t.s.wrap(err, "applying pending receipt to message %d", m.ID)
	}
	return t.findMessage(ctx, m.ID)
}

// ExpirePendingReceipts drops receipts older than before that no message
// claimed, and reports how many. Receipt watermarks received before then
// go too: a send recorded that late is not the one they were about.
func (s *Store) ExpirePendingReceipts(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(t *tx) (err error) {
		if n, err = t.exec(ctx, `DELETE FROM pending_receipts WHERE received_at < $1`, before); err != nil {
			return t.s.wrap(err, "expiring pending receipts")
		}
		_, err = t.exec(ctx, `DELETE FROM receipt_watermarks WHERE received_at < $1`, before)
		return t.s.wrap(err, "expiring receipt watermarks")
	})
	return int(n), err
}
