package store

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
)

// Receipts naming messages are applied for the whole ingest batch in one
// UPDATE: one statement per receipt capped PostgreSQL at about 1,300
// receipts a second (a round trip each). Status only moves forward and
// failed is final, so the outcome for a message does not depend on the
// order of its receipts: failed if any says so (the first one's reason),
// else the furthest status. The receipt giving that outcome reports the
// message; the others of the batch for it report nothing.

// targetKey names one platform message.
type targetKey struct {
	channelID int64
	id        string
}

// receiptPlan is, per platform message named in the batch, the index of
// the event deciding its status, in the order first named.
type receiptPlan struct {
	keys   []targetKey
	winner map[targetKey]int
}

func (b *ingestBatch) planReceipts(indexes []int) receiptPlan {
	p := receiptPlan{winner: map[targetKey]int{}}
	for _, i := range indexes {
		ev := b.events[i]
		if ev.Kind != parley.InboundReceipt {
			continue
		}
		for _, id := range ev.Targets {
			k := targetKey{ev.ChannelID, id}
			w, seen := p.winner[k]
			if !seen {
				p.keys = append(p.keys, k)
				p.winner[k] = i
			} else if decides(b.events[w].Status, ev.Status) {
				p.winner[k] = i
			}
		}
	}
	return p
}

// decides reports whether a later receipt of status next overrides one of
// status cur for the same message.
func decides(cur, next parley.MessageStatus) bool {
	if cur == parley.MessageFailed {
		return false
	}
	return next == parley.MessageFailed || next.Rank() > cur.Rank()
}

// applyTargetReceipts applies the receipts among indexes that name
// messages, and holds those naming messages not recorded yet.
func (b *ingestBatch) applyTargetReceipts(ctx context.Context, indexes []int) error {
	p := b.planReceipts(indexes)
	if len(p.keys) == 0 {
		return nil
	}
	moved := map[targetKey]bool{}
	for start := 0; start < len(p.keys); start += receiptChunk {
		keys := p.keys[start:min(start+receiptChunk, len(p.keys))]
		msgs, err := b.moveTargets(ctx, keys, p.winner)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			k := targetKey{m.ChannelID, m.ExternalID}
			moved[k] = true
			b.results[p.winner[k]].Updated = append(b.results[p.winner[k]].Updated, m)
		}
	}
	return b.holdUnmoved(ctx, indexes, p, moved)
}

// receiptChunk bounds one UPDATE's parameters (six per message).
const receiptChunk = 1000

// moveTargets moves each keyed message to its winning receipt's status,
// if that is forward.
func (b *ingestBatch) moveTargets(ctx context.Context, keys []targetKey, winner map[targetKey]int) ([]*parley.Message, error) {
	if !b.t.s.d.batchesReceipts() {
		return b.moveTargetsEach(ctx, keys, winner)
	}
	var args argList
	rows := make([]string, len(keys))
	for i, k := range keys {
		ev := b.events[winner[k]]
		rows[i] = "(CAST(" + args.add(k.channelID) + " AS BIGINT), " + args.add(k.id) + ", " + args.add(ev.Status) +
			", CAST(" + args.add(ev.Status.Rank()) + " AS INTEGER), " + args.add(ev.FailureCode) + ", " + args.add(ev.FailureReason) + ")"
	}
	// external_id <> '' repeats the partial index's condition: SQLite
	// uses messages_external only when the query states it.
	q := `WITH r (r_channel, r_id, r_status, r_rank, r_code, r_reason) AS (VALUES ` + strings.Join(rows, ", ") + `)
		UPDATE messages SET status = r_status, updated_at = ` + args.add(b.t.now) + `,
		failure_code = CASE WHEN r_status = 'failed' THEN r_code ELSE failure_code END,
		failure_reason = CASE WHEN r_status = 'failed' THEN r_reason ELSE failure_reason END
		FROM r WHERE channel_id = r_channel AND external_id <> '' AND external_id = r_id AND direction = 'out'
		AND status <> 'failed' AND (r_status = 'failed' OR (` + statusRank + `) < r_rank)
		RETURNING ` + messageColumns
	return b.t.queryMessages(ctx, q, args...)
}

// moveTargetsEach is moveTargets one message at a time.
func (b *ingestBatch) moveTargetsEach(ctx context.Context, keys []targetKey, winner map[targetKey]int) ([]*parley.Message, error) {
	var out []*parley.Message
	for _, k := range keys {
		ev := *b.events[winner[k]]
		ev.ChannelID = k.channelID
		msgs, err := b.applyTargets(ctx, &ev, []string{k.id})
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// holdUnmoved deals with the messages no receipt moved. Usually they are
// recorded and already further on (a late "sent"): one read per channel
// shows it. The others (not recorded yet, or recorded by a sender since
// the UPDATE began) go through holdUnknownReceipt receipt by receipt.
func (b *ingestBatch) holdUnmoved(ctx context.Context, indexes []int, p receiptPlan, moved map[targetKey]bool) error {
	byChannel := map[int64][]string{}
	for _, k := range p.keys {
		if !moved[k] {
			byChannel[k.channelID] = append(byChannel[k.channelID], k.id)
		}
	}
	settled := map[targetKey]bool{}
	for ch, ids := range byChannel {
		states, err := b.t.externalIDStates(ctx, ch, ids)
		if err != nil {
			return err
		}
		for _, s := range states {
			k := targetKey{ch, s.id}
			if s.direction != parley.DirectionOut || !canMove(s.status, b.events[p.winner[k]].Status) {
				settled[k] = true
			}
		}
	}
	for _, i := range indexes {
		ev := b.events[i]
		if ev.Kind != parley.InboundReceipt {
			continue
		}
		var rest []string
		for _, id := range ev.Targets {
			k := targetKey{ev.ChannelID, id}
			if !moved[k] && !settled[k] {
				rest = append(rest, id)
			}
		}
		if len(rest) == 0 {
			continue
		}
		one := *ev
		one.Targets = rest
		msgs, err := b.holdUnknownReceipt(ctx, &one, nil)
		if err != nil {
			return err
		}
		b.results[i].Updated = append(b.results[i].Updated, msgs...)
	}
	return nil
}
