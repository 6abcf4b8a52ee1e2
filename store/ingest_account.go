package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/parleyhq/parley"
)

// routeAccountMessages puts what the channel's own account wrote (a Page's
// own comment, FromAccount) into the thread it belongs to: the event is
// rewritten to name the customer of the active ticket with its ThreadKey,
// so that it lands there as outbound, and a reply Parley posted itself is
// then recognised like any echo (adoptEchoes). Without such a ticket there
// is no customer to attach it to and it is skipped.
func (b *ingestBatch) routeAccountMessages(ctx context.Context) error {
	cloned := false
	kept := b.messages[:0]
	for _, m := range b.messages {
		if !m.ev.FromAccount {
			kept = append(kept, m)
			continue
		}
		customer, ok, err := b.t.threadCustomer(ctx, m.ev.ChannelID, m.ev.ThreadKey)
		if err != nil {
			return err
		}
		if !ok {
			b.t.s.log.Debug("ingest: skipping the account's own message outside any ticket", "channel_id", m.ev.ChannelID, "thread", m.ev.ThreadKey)
			continue
		}
		if !cloned {
			b.events, cloned = slices.Clone(b.events), true // the caller's slice stays as it was
		}
		ev := *m.ev
		ev.Sender, ev.Direction = customer, parley.DirectionOut
		if m.ev.Sender.Name != "" {
			ev.Metadata = withMeta(ev.Metadata, "author_name", m.ev.Sender.Name)
		}
		b.events[m.index], m.ev, m.key = &ev, &ev, senderKey(&ev)
		kept = append(kept, m)
	}
	b.messages = kept
	return nil
}

// threadCustomerQuery states status <> 'closed' as written in the partial
// index conversations_open_thread (channel_id, thread_key): planners use a
// partial index only when the query implies its condition.
const threadCustomerQuery = `SELECT i.kind, i.value FROM conversations c
	JOIN identities i ON i.contact_id = c.contact_id AND i.scope_channel_id = c.channel_id
	WHERE c.channel_id = $1 AND c.thread_key = $2 AND c.status <> 'closed' ORDER BY c.id DESC, i.id LIMIT 1`

// threadCustomer is the identity on the channel of the customer whose
// active ticket has the thread key.
func (t *tx) threadCustomer(ctx context.Context, channelID int64, thread string) (parley.Sender, bool, error) {
	var s parley.Sender
	if thread == "" {
		return s, false, nil
	}
	err := t.queryRow(ctx, threadCustomerQuery, channelID, thread).Scan(&s.Kind, &s.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	} else if err != nil {
		return s, false, t.s.wrap(err, "finding the ticket of thread %s", thread)
	}
	// A global kind joined on the channel scope is an unverified sender
	// (see senderKey); keeping it unverified keeps its key scoped.
	s.Verified = !s.Kind.Global()
	return s, true, nil
}

func withMeta(md map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(md)+1)
	for key, val := range md {
		out[key] = val
	}
	out[k] = v
	return out
}
