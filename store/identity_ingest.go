package store

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// identityState is what the identity capability keeps for one Ingest
// batch: the Config of the batch's channels (default region, e-mail rules,
// continuity, repeat window).
type identityState struct {
	configs map[int64]map[string]string
}

// normalizeIdentities loads the batch's channel settings and brings every
// event's identifiers into canonical form (E.164 phones read in the
// channel's default_region, folded e-mail addresses), so that the same
// customer matches however a platform or a customer wrote them. Events are
// changed in place; doing it twice changes nothing.
func (b *ingestBatch) normalizeIdentities(ctx context.Context) error {
	configs, err := b.t.channelConfigs(ctx, b.channelIDs())
	if err != nil {
		return err
	}
	b.ident.configs = configs
	for _, ev := range b.events {
		if ev != nil && ev.Sender.ID != "" && ev.Kind != parley.InboundTyping {
			identity.NormalizeInbound(ev, configs[ev.ChannelID])
		}
	}
	return nil
}

func (b *ingestBatch) channelIDs() []int64 {
	ids := make([]int64, 0, len(b.channels))
	for id := range b.channels {
		ids = append(ids, id)
	}
	return ids
}

// channelConfigs loads the non-secret settings of channels.
func (t *tx) channelConfigs(ctx context.Context, ids []int64) (map[int64]map[string]string, error) {
	out := make(map[int64]map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var args argList
	rows, err := t.query(ctx, `SELECT id, config FROM channels WHERE id IN `+in(&args, ids), args...)
	if err != nil {
		return nil, t.s.wrap(err, "loading channel settings")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var cfg map[string]string
		if err := rows.Scan(&id, jsonCol{&cfg}); err != nil {
			return nil, t.s.wrap(err, "scanning channel settings")
		}
		out[id] = cfg
	}
	return out, t.s.wrap(rows.Err(), "loading channel settings")
}

// recordClaims keeps the identifiers customers gave without the platform
// vouching for them (an e-mail typed into a chat, a phone in a form) as
// claims of the contact the message resolved to. They never link
// contacts; suggestions offer them to agents.
func (b *ingestBatch) recordClaims(ctx context.Context) error {
	var claims []identity.Claim
	seen := map[identity.Claim]bool{}
	for _, m := range b.messages {
		if m.contact == nil || m.contact.id == 0 {
			continue
		}
		for _, x := range m.ev.Sender.Extra {
			if x.Verified || !x.Kind.Global() || x.Value == "" {
				continue
			}
			c := identity.Claim{ContactID: m.contact.id, Kind: x.Kind, Value: normalizeIdentityValue(x.Kind, x.Value), ChannelID: m.ev.ChannelID}
			if !seen[c] {
				seen[c] = true
				claims = append(claims, c)
			}
		}
	}
	return b.t.insertClaims(ctx, claims)
}

// insertClaims adds claims; ones the contact already has are kept as they were.
func (t *tx) insertClaims(ctx context.Context, claims []identity.Claim) error {
	for rest := claims; len(rest) > 0; {
		n := min(len(rest), 300)
		var args argList
		values := make([]string, n)
		for i, c := range rest[:n] {
			values[i] = "(" + args.add(c.ContactID) + ", " + args.add(c.Kind) + ", " + args.add(c.Value) + ", " +
				args.add(c.ChannelID) + ", " + args.add(t.now) + ")"
		}
		if _, err := t.exec(ctx, `INSERT INTO identity_claims (contact_id, kind, value, channel_id, created_at) VALUES `+
			strings.Join(values, ", ")+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return t.s.wrap(err, "recording identity claims")
		}
		rest = rest[n:]
	}
	return nil
}
