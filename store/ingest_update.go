package store

import (
	"context"

	"github.com/parleyhq/parley"
)

// applyOthers applies the batch's receipts, reactions, edits and deletes
// after its messages (so a receipt may follow its echo): the receipts
// naming messages together (see applyTargetReceipts), then the rest in
// order.
func (b *ingestBatch) applyOthers(ctx context.Context) error {
	var others []int
	for i, ev := range b.events {
		if ev == nil || ev.Kind == parley.InboundMessage || ev.Kind == parley.InboundTyping || !b.usable(ev) {
			continue
		}
		if ev.Kind == parley.InboundReceipt && ev.Status.Rank() == 0 && ev.Status != parley.MessageFailed {
			b.t.s.log.Warn("ingest: skipping receipt with unknown status", "status", ev.Status)
			continue
		}
		others = append(others, i)
	}
	if err := b.applyTargetReceipts(ctx, others); err != nil {
		return err
	}
	for _, i := range others {
		ev := b.events[i]
		var err error
		switch ev.Kind {
		case parley.InboundReceipt:
			var msgs []*parley.Message
			msgs, err = b.applyWatermark(ctx, ev)
			b.results[i].Updated = append(b.results[i].Updated, msgs...)
		case parley.InboundReaction, parley.InboundEdit, parley.InboundDelete:
			b.results[i].Message, err = b.applyChange(ctx, ev)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// applyWatermark moves forward every outbound message to the sender on
// this channel sent at or before ev's Watermark, and keeps the watermark
// for sends recorded later.
func (b *ingestBatch) applyWatermark(ctx context.Context, ev *parley.InboundEvent) ([]*parley.Message, error) {
	if ev.Watermark == nil || ev.Sender.ID == "" || ev.Status == parley.MessageFailed {
		return nil, nil
	}
	contactID, ok := b.identities[senderKey(ev)]
	if !ok {
		return nil, nil
	}
	if err := b.t.lockWatermark(ctx, ev.ChannelID, contactID); err != nil {
		return nil, err
	}
	var args argList
	set := b.receiptSet(ev, &args)
	q := `UPDATE messages SET ` + set + ` WHERE conversation_id IN (SELECT id FROM conversations WHERE channel_id = ` +
		args.add(ev.ChannelID) + ` AND contact_id = ` + args.add(contactID) + `) AND direction = 'out' AND sent_at <= ` +
		args.add(*ev.Watermark) + ` AND ` + forwardOnly(ev.Status, &args) + ` RETURNING ` + messageColumns
	msgs, err := b.t.queryMessages(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return msgs, b.keepWatermark(ctx, ev, contactID)
}

func (b *ingestBatch) receiptSet(ev *parley.InboundEvent, args *argList) string {
	set := `status = ` + args.add(ev.Status) + `, updated_at = ` + args.add(b.t.now)
	if ev.Status == parley.MessageFailed {
		set += `, failure_code = ` + args.add(ev.FailureCode) + `, failure_reason = ` + args.add(ev.FailureReason)
	}
	return set
}

// applyChange records a reaction, edit or delete on the message it names.
// Reactions live in the metadata only: they never touch reply windows.
func (b *ingestBatch) applyChange(ctx context.Context, ev *parley.InboundEvent) (*parley.Message, error) {
	target := ev.ReplyTo
	if target == "" {
		target = ev.ExternalID
	}
	if target == "" {
		return nil, nil
	}
	msgs, err := b.t.findMessagesByExternalID(ctx, ev.ChannelID, []string{target})
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	m := msgs[0]
	if m.Metadata == nil {
		m.Metadata = map[string]string{}
	}
	reindex := false
	switch ev.Kind {
	case parley.InboundReaction:
		emoji := ev.Text
		if emoji == "" {
			emoji = ev.Metadata["emoji"]
		}
		if emoji == "" {
			delete(m.Metadata, "reaction")
		} else {
			m.Metadata["reaction"] = emoji
		}
	case parley.InboundEdit:
		if _, kept := m.Metadata["original_body"]; !kept {
			m.Metadata["original_body"] = m.Body
		}
		m.Metadata["edited"] = "true"
		m.Body, reindex = ev.Text, true
	case parley.InboundDelete:
		m.Metadata["deleted"] = "true"
	}
	m.UpdatedAt = b.t.now
	if _, err := b.t.exec(ctx, `UPDATE messages SET body = $1, metadata = $2, updated_at = $3 WHERE id = $4`,
		m.Body, jsonText(m.Metadata), m.UpdatedAt, m.ID); err != nil {
		return nil, b.t.s.wrap(err, "updating message %d", m.ID)
	}
	if reindex {
		return m, b.t.indexSearch(ctx, "message_search", []searchDoc{{m.ID, messageTerms(m)}}, true)
	}
	return m, nil
}
