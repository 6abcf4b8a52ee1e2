package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// messageBatchRows bounds the rows of one multi-row message INSERT
// (20 columns each, well under both engines' parameter limits).
const messageBatchRows = 250

// insertMessages stores the batch's messages with ids reserved up front.
// A message another transaction stored first (same platform id) becomes a
// duplicate.
func (b *ingestBatch) insertMessages(ctx context.Context) error {
	t := b.t
	ids, err := t.s.d.allocateIDs(ctx, t, "messages", len(b.messages))
	if err != nil {
		return t.s.wrap(err, "reserving message ids")
	}
	for i, m := range b.messages {
		m.msg = b.newMessage(m)
		m.msg.ID = ids[i]
	}
	stored := map[int64]bool{}
	for rest := b.messages; len(rest) > 0; {
		n := min(len(rest), messageBatchRows)
		var args argList
		values := make([]string, n)
		for i, m := range rest[:n] {
			ph := []string{args.add(m.msg.ID)}
			for _, v := range messageValues(m.msg) {
				ph = append(ph, args.add(v))
			}
			values[i] = "(" + strings.Join(ph, ", ") + ")"
		}
		got, err := t.int64s(ctx, `INSERT INTO messages (id, `+messageInsertColumns+`) VALUES `+strings.Join(values, ", ")+
			` ON CONFLICT DO NOTHING RETURNING id`, args...)
		if err != nil {
			return t.s.wrap(err, "storing messages")
		}
		for _, id := range got {
			stored[id] = true
		}
		rest = rest[n:]
	}
	var docs []searchDoc
	kept := b.messages[:0]
	for _, m := range b.messages {
		if !stored[m.msg.ID] {
			b.results[m.index] = parley.IngestResult{Duplicate: true}
			continue
		}
		kept = append(kept, m)
		if terms := messageTerms(m.msg); len(terms) > 0 {
			docs = append(docs, searchDoc{m.msg.ID, terms})
		}
	}
	b.messages = kept
	return t.indexSearch(ctx, "message_search", docs, false)
}

// newMessage builds the stored form of a message event: the customer's
// message (received), or an echo of the page's own (sent).
func (b *ingestBatch) newMessage(m *ingestMessage) *parley.Message {
	ev, now := m.ev, b.t.now
	at := eventTime(ev, now)
	msg := &parley.Message{
		ConversationID: m.conv.conv.ID, ChannelID: ev.ChannelID, Platform: b.channels[ev.ChannelID],
		Direction: parley.DirectionIn, Kind: parley.KindText, Body: ev.Text, Attachments: ev.Attachments,
		ExternalID: ev.ExternalID, ReplyToID: ev.ReplyTo, Status: parley.MessageReceived, Metadata: ev.Metadata,
		SentAt: &at, CreatedAt: now, UpdatedAt: now,
	}
	contactID := m.contact.id
	msg.ContactID = &contactID
	if ev.Text == "" && len(ev.Attachments) > 0 {
		msg.Kind = parley.KindMedia
	}
	if ev.Direction == parley.DirectionOut {
		msg.Direction, msg.Status = parley.DirectionOut, parley.MessageSent
		msg.Metadata = withEchoMark(ev.Metadata)
	}
	return msg
}

// updateConversations moves every ticket that received messages: last
// activity and preview, unread count, reply window, waiting time, version;
// a customer message reopens a resolved, pending or snoozed ticket.
func (b *ingestBatch) updateConversations(ctx context.Context) error {
	var order []*ingestConversation
	for _, m := range b.messages {
		ic := m.conv
		if !ic.touched {
			ic.touched = true
			order = append(order, ic)
		}
		at := *m.msg.SentAt
		if !at.Before(ic.lastAt) {
			ic.lastAt, ic.lastPreview = at, preview(messagePreview(m.msg))
		}
		if m.msg.Direction == parley.DirectionIn {
			ic.inbound++
			if at.After(ic.lastInboundAt) {
				ic.lastInboundAt = at
			}
			if ic.firstInboundAt.IsZero() || at.Before(ic.firstInboundAt) {
				ic.firstInboundAt = at
			}
		}
	}
	// Lock tickets in id order, so that concurrent batches (PostgreSQL)
	// queue behind each other instead of deadlocking.
	slices.SortFunc(order, func(a, b *ingestConversation) int { return cmp.Compare(a.conv.ID, b.conv.ID) })
	for len(order) > 0 {
		n := min(len(order), conversationBatchRows)
		if err := b.updateConversationRows(ctx, order[:n]); err != nil {
			return err
		}
		order = order[n:]
	}
	return nil
}

// messagePreview is the text a ticket shows for its last message.
func messagePreview(m *parley.Message) string {
	if m.Body != "" || len(m.Attachments) == 0 {
		return m.Body
	}
	return "[" + m.Attachments[0].Type + "]"
}

// conversationBatchRows bounds the tickets one bulk UPDATE moves.
const conversationBatchRows = 300

// updateConversationRows moves a set of tickets in one statement: the
// changes ride in a VALUES list (columns column1… on both engines) joined
// to the table, and each SET expression merges them with the stored row,
// so that concurrent batches on PostgreSQL never overwrite each other.
func (b *ingestBatch) updateConversationRows(ctx context.Context, ics []*ingestConversation) error {
	t := b.t
	var args argList
	values := make([]string, len(ics))
	for i, ic := range ics {
		var lastIn, firstIn *time.Time
		if ic.inbound > 0 {
			lastIn, firstIn = &ic.lastInboundAt, &ic.firstInboundAt
		}
		reopen := 0
		if ic.inbound > 0 && ic.conv.Status != parley.StatusOpen {
			reopen = 1
		}
		values[i] = "(CAST(" + args.add(ic.conv.ID) + " AS BIGINT), CAST(" + args.add(ic.lastAt) + " AS TIMESTAMPTZ), CAST(" +
			args.add(ic.lastPreview) + " AS TEXT), CAST(" + args.add(ic.inbound) + " AS INTEGER), CAST(" + args.add(lastIn) +
			" AS TIMESTAMPTZ), CAST(" + args.add(firstIn) + " AS TIMESTAMPTZ), CAST(" + args.add(reopen) + " AS INTEGER))"
	}
	now := args.add(t.now)
	q := `UPDATE conversations SET
		last_preview = CASE WHEN conversations.last_message_at <= v.column2 THEN v.column3 ELSE conversations.last_preview END,
		last_message_at = CASE WHEN conversations.last_message_at < v.column2 THEN v.column2 ELSE conversations.last_message_at END,
		unread_count = conversations.unread_count + v.column4,
		last_inbound_at = CASE WHEN v.column5 IS NOT NULL AND (conversations.last_inbound_at IS NULL OR conversations.last_inbound_at < v.column5)
			THEN v.column5 ELSE conversations.last_inbound_at END,
		waiting_since = COALESCE(conversations.waiting_since, v.column6),
		status = CASE WHEN v.column7 = 1 THEN 'open' ELSE conversations.status END,
		snoozed_until = CASE WHEN v.column7 = 1 THEN NULL ELSE conversations.snoozed_until END,
		resolved_at = CASE WHEN v.column7 = 1 THEN NULL ELSE conversations.resolved_at END,
		version = conversations.version + 1, updated_at = ` + now + `
		FROM (VALUES ` + strings.Join(values, ", ") + `) AS v WHERE conversations.id = v.column1
		RETURNING ` + prefixColumns("conversations", conversationColumns)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return t.s.wrap(err, "updating conversations")
	}
	defer rows.Close()
	byID := make(map[int64]*ingestConversation, len(ics))
	for _, ic := range ics {
		byID[ic.conv.ID] = ic
	}
	var reopened []*ingestConversation
	for rows.Next() {
		conv, err := scanConversation(rows)
		if err != nil {
			return t.s.wrap(err, "scanning conversation")
		}
		ic := byID[conv.ID]
		if ic.inbound > 0 && ic.conv.Status != parley.StatusOpen {
			ic.previous = ic.conv.Status
			reopened = append(reopened, ic)
		}
		ic.conv = conv
	}
	if err := rows.Err(); err != nil {
		return t.s.wrap(err, "updating conversations")
	}
	rows.Close()
	for _, ic := range reopened {
		if err := t.addActivity(ctx, ic.conv, nil, "Reopened by a new message from the customer",
			map[string]string{"action": "status", "from": string(ic.previous), "to": string(parley.StatusOpen)}); err != nil {
			return err
		}
	}
	return nil
}

// fillResults completes the results of stored message events with their
// contact, ticket (with tags) and message.
func (b *ingestBatch) fillResults(ctx context.Context) error {
	t := b.t
	var convs []*parley.Conversation
	seenConv := map[int64]bool{}
	var contactIDs []int64
	seenContact := map[int64]bool{}
	for _, m := range b.messages {
		if c := m.conv.conv; !seenConv[c.ID] {
			seenConv[c.ID] = true
			c.Tags = nil
			convs = append(convs, c)
		}
		if !m.contact.created && !seenContact[m.contact.id] {
			seenContact[m.contact.id] = true
			contactIDs = append(contactIDs, m.contact.id)
		}
	}
	if err := t.fillConversationTags(ctx, convs); err != nil {
		return err
	}
	contacts, err := t.findContactsByID(ctx, contactIDs)
	if err != nil {
		return err
	}
	firstOfContact, firstOfConv := map[*ingestContact]bool{}, map[*ingestConversation]bool{}
	for _, m := range b.messages {
		r := parley.IngestResult{Conversation: m.conv.conv, Message: m.msg}
		if m.contact.created {
			r.Contact = m.contact.contact
			r.ContactCreated = !firstOfContact[m.contact]
			firstOfContact[m.contact] = true
		} else {
			r.Contact = contacts[m.contact.id]
		}
		if m.conv.created {
			r.ConversationCreated = !firstOfConv[m.conv]
			firstOfConv[m.conv] = true
		}
		m.conv.conv.Contact = r.Contact
		b.results[m.index] = r
	}
	return nil
}

// fillConversationTags loads the tags of tickets.
func (t *tx) fillConversationTags(ctx context.Context, convs []*parley.Conversation) error {
	byID := make(map[int64]*parley.Conversation, len(convs))
	ids := make([]int64, 0, len(convs))
	for _, c := range convs {
		c.Tags = []string{}
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		var args argList
		rows, err := t.query(ctx, `SELECT conversation_id, tag FROM conversation_tags WHERE conversation_id IN `+in(&args, ids[:n])+` ORDER BY tag`, args...)
		if err != nil {
			return t.s.wrap(err, "loading tags")
		}
		for rows.Next() {
			var id int64
			var tag string
			if err := rows.Scan(&id, &tag); err != nil {
				rows.Close()
				return t.s.wrap(err, "scanning tag")
			}
			byID[id].Tags = append(byID[id].Tags, tag)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return t.s.wrap(err, "loading tags")
		}
		ids = ids[n:]
	}
	return nil
}
