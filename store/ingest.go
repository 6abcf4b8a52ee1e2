package store

import (
	"context"

	"github.com/parleyhq/parley"
)

// Ingest stores a batch of canonical inbound events in one transaction
// (group commit). The work is done set by set — all duplicates, then all
// identities, contacts, tickets and messages of the batch — so a batch
// costs a handful of statements rather than a handful per event.
//
// Message events name their customer in Sender, for echoes (Direction out)
// too. Reaction, edit and delete events name the message they act on by
// ReplyTo, or by ExternalID when ReplyTo is empty. Events on unknown
// channels and malformed events are skipped (their result is empty) so that
// one bad event cannot block a stream; they are logged.
func (s *Store) Ingest(ctx context.Context, events []*parley.InboundEvent) ([]parley.IngestResult, error) {
	var results []parley.IngestResult
	err := s.write(ctx, func(t *tx) error {
		b := &ingestBatch{t: t, events: events, results: make([]parley.IngestResult, len(events))}
		if err := b.run(ctx); err != nil {
			return err
		}
		results = b.results
		return nil
	})
	if err == nil {
		s.noteIngested(countStored(results))
	}
	return results, err
}

// ingestBatch is the state of one Ingest call.
type ingestBatch struct {
	t       *tx
	events  []*parley.InboundEvent
	results []parley.IngestResult

	channels   map[int64]parley.Platform
	identities map[identityKey]int64 // known identity → contact id
	messages   []*ingestMessage      // message events still to store, in order
	ident      identityState         // channel settings of the identity capability
}

// ingestMessage is a message event on its way into the database.
type ingestMessage struct {
	index   int // position in events and results
	ev      *parley.InboundEvent
	key     identityKey
	contact *ingestContact
	conv    *ingestConversation
	msg     *parley.Message
}

func (b *ingestBatch) run(ctx context.Context) error {
	if err := b.loadChannels(ctx); err != nil {
		return err
	}
	if err := b.normalizeIdentities(ctx); err != nil {
		return err
	}
	b.selectMessages()
	if err := b.dropDuplicates(ctx); err != nil {
		return err
	}
	if err := b.routeAccountMessages(ctx); err != nil {
		return err
	}
	if err := b.loadIdentities(ctx); err != nil {
		return err
	}
	if err := b.adoptEchoes(ctx); err != nil {
		return err
	}
	if len(b.messages) > 0 {
		if err := b.resolveContacts(ctx); err != nil {
			return err
		}
		if err := b.recordClaims(ctx); err != nil {
			return err
		}
		if err := b.resolveConversations(ctx); err != nil {
			return err
		}
		if err := b.insertMessages(ctx); err != nil {
			return err
		}
		if err := b.updateConversations(ctx); err != nil {
			return err
		}
		if err := b.fillResults(ctx); err != nil {
			return err
		}
	}
	return b.applyOthers(ctx)
}

// loadChannels finds the platform of every channel the batch names.
func (b *ingestBatch) loadChannels(ctx context.Context) error {
	ids := make([]int64, 0, 1)
	seen := map[int64]bool{}
	for _, ev := range b.events {
		if ev != nil && !seen[ev.ChannelID] {
			seen[ev.ChannelID] = true
			ids = append(ids, ev.ChannelID)
		}
	}
	b.channels = make(map[int64]parley.Platform, len(ids))
	if len(ids) == 0 {
		return nil
	}
	var args argList
	rows, err := b.t.query(ctx, `SELECT id, platform FROM channels WHERE id IN `+in(&args, ids), args...)
	if err != nil {
		return b.t.s.wrap(err, "loading channels")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p parley.Platform
		if err := rows.Scan(&id, &p); err != nil {
			return b.t.s.wrap(err, "scanning channel")
		}
		b.channels[id] = p
	}
	return b.t.s.wrap(rows.Err(), "loading channels")
}

// usable reports whether an event can be stored, logging why not.
func (b *ingestBatch) usable(ev *parley.InboundEvent) bool {
	switch {
	case ev == nil:
		return false
	case b.channels[ev.ChannelID] == "":
		b.t.s.log.Warn("ingest: skipping event of unknown channel", "channel_id", ev.ChannelID, "kind", ev.Kind)
		return false
	case ev.Kind == parley.InboundMessage && (ev.Sender.ID == "" || ev.Sender.Kind == ""):
		b.t.s.log.Warn("ingest: skipping message without sender", "channel_id", ev.ChannelID, "external_id", ev.ExternalID)
		return false
	}
	return true
}

// senderKey is the identity a message event's customer is known by. A
// sender the platform does not vouch for (mail whose From no trusted server
// checked) is known by an e-mail address or phone number scoped to the
// channel, never by the global identity: anyone can write a VIP's address
// into From, and the global identity would put their message in the VIP's
// history. The shared value still makes it a suggestion for agents.
func senderKey(ev *parley.InboundEvent) identityKey {
	k := makeIdentityKey(ev.Sender.Kind, ev.ChannelID, ev.Sender.ID)
	if ev.Kind == parley.InboundMessage && !ev.Sender.Verified && k.kind.Global() {
		k.scope = ev.ChannelID
	}
	return k
}

func makeIdentityKey(kind parley.IdentityKind, channelID int64, value string) identityKey {
	k := identityKey{kind: kind, value: normalizeIdentityValue(kind, value)}
	if !kind.Global() {
		k.scope = channelID
	}
	return k
}

// selectMessages picks the message events to store.
func (b *ingestBatch) selectMessages() {
	for i, ev := range b.events {
		if ev == nil || ev.Kind != parley.InboundMessage || !b.usable(ev) {
			continue
		}
		b.messages = append(b.messages, &ingestMessage{index: i, ev: ev, key: senderKey(ev)})
	}
}

// extKey is a message's platform id on its channel.
type extKey struct {
	channel int64
	id      string
}

// dropDuplicates removes message events already stored (redelivery) or
// repeated within the batch; their result is Duplicate with the stored
// message.
func (b *ingestBatch) dropDuplicates(ctx context.Context) error {
	byChannel := map[int64][]string{}
	for _, m := range b.messages {
		if m.ev.ExternalID != "" {
			byChannel[m.ev.ChannelID] = append(byChannel[m.ev.ChannelID], m.ev.ExternalID)
		}
	}
	stored := map[extKey]*parley.Message{}
	for channel, ids := range byChannel {
		msgs, err := b.t.findMessagesByExternalID(ctx, channel, ids)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			stored[extKey{channel, m.ExternalID}] = m
		}
	}
	seen := map[extKey]bool{}
	kept := b.messages[:0]
	for _, m := range b.messages {
		k := extKey{m.ev.ChannelID, m.ev.ExternalID}
		if existing := stored[k]; existing != nil {
			b.results[m.index] = parley.IngestResult{Duplicate: true, Message: existing}
			continue
		}
		if m.ev.ExternalID != "" && seen[k] {
			b.results[m.index] = parley.IngestResult{Duplicate: true}
			continue
		}
		seen[k] = true
		kept = append(kept, m)
	}
	b.messages = kept
	return nil
}

// findMessagesByExternalID loads a channel's messages with the given
// platform ids, a few hundred at a time.
func (t *tx) findMessagesByExternalID(ctx context.Context, channelID int64, ids []string) ([]*parley.Message, error) {
	var out []*parley.Message
	for len(ids) > 0 {
		n := min(len(ids), 500)
		var args argList
		q := `SELECT ` + messageColumns + ` FROM messages WHERE channel_id = ` + args.add(channelID) +
			` AND external_id <> '' AND external_id IN ` + in(&args, ids[:n])
		msgs, err := t.queryMessages(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
		ids = ids[n:]
	}
	return out, nil
}

// countStored counts the new messages in results.
func countStored(results []parley.IngestResult) int {
	n := 0
	for _, r := range results {
		if r.Message != nil && !r.Duplicate && r.Conversation != nil {
			n++
		}
	}
	return n
}
