package store

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
)

// ingestContact is the customer of one or more message events: an
// existing contact (id set) or one this batch creates.
type ingestContact struct {
	id      int64
	created bool
	contact *parley.Contact // set for created contacts
}

// newIdentity is an identity row the batch adds for a contact.
type newIdentity struct {
	key      identityKey
	contact  *ingestContact
	verified bool
}

// verifiedExtras returns the keys of the identities the platform vouches
// for besides the sender; unverified ones never link and are not stored.
func verifiedExtras(ev *parley.InboundEvent) []identityKey {
	var keys []identityKey
	for _, x := range ev.Sender.Extra {
		if x.Verified && x.Kind != "" && x.Value != "" {
			if k := makeIdentityKey(x.Kind, ev.ChannelID, x.Value); k.value != "" {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// loadIdentities looks up, in one pass, every identity the batch's events
// name: senders (of receipts too, for watermarks) and verified extras.
func (b *ingestBatch) loadIdentities(ctx context.Context) error {
	wanted := map[identityKey]bool{}
	for _, ev := range b.events {
		if ev == nil || ev.Sender.ID == "" || ev.Sender.Kind == "" || ev.Kind == parley.InboundTyping {
			continue
		}
		wanted[senderKey(ev)] = true
		for _, k := range verifiedExtras(ev) {
			wanted[k] = true
		}
	}
	keys := make([]identityKey, 0, len(wanted))
	for k := range wanted {
		keys = append(keys, k)
	}
	var err error
	b.identities, err = b.t.findIdentityOwners(ctx, keys)
	return err
}

// findIdentityOwners maps identity keys to the contacts they belong to.
func (t *tx) findIdentityOwners(ctx context.Context, keys []identityKey) (map[identityKey]int64, error) {
	owners := make(map[identityKey]int64, len(keys))
	wanted := make(map[identityKey]bool, len(keys))
	values := make([]string, 0, len(keys))
	seen := map[string]bool{}
	for _, k := range keys {
		wanted[k] = true
		if !seen[k.value] {
			seen[k.value] = true
			values = append(values, k.value)
		}
	}
	for len(values) > 0 {
		n := min(len(values), 500)
		var args argList
		rows, err := t.query(ctx, `SELECT kind, scope_channel_id, value, contact_id FROM identities WHERE value IN `+in(&args, values[:n]), args...)
		if err != nil {
			return nil, t.s.wrap(err, "looking up identities")
		}
		for rows.Next() {
			var k identityKey
			var contactID int64
			if err := rows.Scan(&k.kind, &k.scope, &k.value, &contactID); err != nil {
				rows.Close()
				return nil, t.s.wrap(err, "scanning identity")
			}
			if wanted[k] {
				owners[k] = contactID
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, t.s.wrap(err, "looking up identities")
		}
		values = values[n:]
	}
	return owners, nil
}

// resolveContacts gives every message event its contact: the owner of the
// sender identity, else the owner of a verified global extra (phone,
// e-mail), else a new contact. Events of the same new customer in one
// batch share one new contact.
func (b *ingestBatch) resolveContacts(ctx context.Context) error {
	byKey := map[identityKey]*ingestContact{}
	existing := map[int64]*ingestContact{}
	ref := func(id int64) *ingestContact {
		if existing[id] == nil {
			existing[id] = &ingestContact{id: id}
		}
		return existing[id]
	}
	var created []*ingestContact
	var adds []newIdentity
	for _, m := range b.messages {
		if c := byKey[m.key]; c != nil {
			m.contact = c
			continue
		}
		if id, ok := b.identities[m.key]; ok {
			m.contact = ref(id)
			byKey[m.key] = m.contact
			continue
		}
		extras := verifiedExtras(m.ev)
		for _, k := range extras {
			if id, ok := b.identities[k]; ok && k.kind.Global() {
				m.contact = ref(id)
				break
			}
			if c := byKey[k]; c != nil && k.kind.Global() {
				m.contact = c
				break
			}
		}
		if m.contact == nil {
			m.contact = &ingestContact{created: true, contact: newContactFor(m.ev, extras)}
			created = append(created, m.contact)
		}
		// The contact gains the sender identity and the verified extras it
		// does not have yet.
		byKey[m.key] = m.contact
		adds = append(adds, newIdentity{key: m.key, contact: m.contact, verified: m.ev.Sender.Verified})
		for _, k := range extras {
			if _, known := b.identities[k]; !known && byKey[k] == nil {
				byKey[k] = m.contact
				adds = append(adds, newIdentity{key: k, contact: m.contact, verified: true})
			}
		}
	}
	if err := b.insertContacts(ctx, created); err != nil {
		return err
	}
	return b.insertIdentities(ctx, adds)
}

// newContactFor builds the contact a first message creates.
func newContactFor(ev *parley.InboundEvent, extras []identityKey) *parley.Contact {
	c := &parley.Contact{Name: strings.TrimSpace(ev.Sender.Name)}
	if c.Name == "" {
		c.Name = ev.Sender.Username
	}
	if c.Name == "" {
		c.Name = ev.Sender.ID
	}
	if ev.Sender.Username != "" {
		c.Attributes = map[string]string{"username": ev.Sender.Username}
	}
	for _, k := range append([]identityKey{senderKey(ev)}, extras...) {
		switch {
		case k.kind == parley.IdentityEmail && c.Email == "":
			c.Email = k.value
		case (k.kind == parley.IdentityPhone || k.kind == parley.IdentityWhatsApp) && c.Phone == "":
			c.Phone = k.value
		}
	}
	return c
}

// insertContacts stores the batch's new contacts with ids reserved up front.
func (b *ingestBatch) insertContacts(ctx context.Context, created []*ingestContact) error {
	if len(created) == 0 {
		return nil
	}
	t := b.t
	ids, err := t.s.d.allocateIDs(ctx, t, "contacts", len(created))
	if err != nil {
		return t.s.wrap(err, "reserving contact ids")
	}
	docs := make([]searchDoc, len(created))
	for i, c := range created {
		c.id, c.contact.ID = ids[i], ids[i]
		c.contact.CreatedAt, c.contact.UpdatedAt = t.now, t.now
		docs[i] = searchDoc{c.id, contactTerms(c.contact)}
	}
	for rest := created; len(rest) > 0; {
		n := min(len(rest), 300)
		var args argList
		values := make([]string, n)
		for i, c := range rest[:n] {
			cc := c.contact
			values[i] = "(" + args.add(cc.ID) + ", " + args.add(cc.Name) + ", " + args.add(cc.Email) + ", " + args.add(cc.Phone) + ", " +
				args.add(jsonText(cc.Attributes)) + ", " + args.add(t.now) + ", " + args.add(t.now) + ")"
		}
		if _, err := t.exec(ctx, `INSERT INTO contacts (id, name, email, phone, attributes, created_at, updated_at) VALUES `+
			strings.Join(values, ", "), args...); err != nil {
			return t.s.wrap(err, "creating contacts")
		}
		rest = rest[n:]
	}
	return t.indexSearch(ctx, "contact_search", docs, false)
}

// insertIdentities adds identity rows. Another transaction may have added
// the same identity meanwhile (PostgreSQL runs batches side by side): the
// unique index makes ours a no-op, and a contact this batch created for it
// is folded into the winner's.
func (b *ingestBatch) insertIdentities(ctx context.Context, adds []newIdentity) error {
	if len(adds) == 0 {
		return nil
	}
	t := b.t
	inserted := map[identityKey]bool{}
	for rest := adds; len(rest) > 0; {
		n := min(len(rest), 300)
		var args argList
		values := make([]string, n)
		for i, a := range rest[:n] {
			values[i] = "(" + args.add(a.contact.id) + ", " + args.add(a.key.kind) + ", " + args.add(a.key.scope) + ", " +
				args.add(a.key.value) + ", " + args.add(a.verified) + ", " + args.add(t.now) + ")"
		}
		rows, err := t.query(ctx, `INSERT INTO identities (contact_id, kind, scope_channel_id, value, verified, created_at) VALUES `+
			strings.Join(values, ", ")+` ON CONFLICT DO NOTHING RETURNING kind, scope_channel_id, value`, args...)
		if err != nil {
			return t.s.wrap(err, "adding identities")
		}
		for rows.Next() {
			var k identityKey
			if err := rows.Scan(&k.kind, &k.scope, &k.value); err != nil {
				rows.Close()
				return t.s.wrap(err, "scanning identity")
			}
			inserted[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return t.s.wrap(err, "adding identities")
		}
		rest = rest[n:]
	}
	var lost []newIdentity
	for _, a := range adds {
		if !inserted[a.key] {
			lost = append(lost, a)
		}
	}
	return b.foldLostIdentities(ctx, lost)
}

// foldLostIdentities handles identities another transaction created first:
// a contact this batch created for such a sender is replaced by the
// winner's contact (its other identities move over, it is deleted).
func (b *ingestBatch) foldLostIdentities(ctx context.Context, lost []newIdentity) error {
	if len(lost) == 0 {
		return nil
	}
	t := b.t
	keys := make([]identityKey, len(lost))
	for i, a := range lost {
		keys[i] = a.key
	}
	owners, err := t.findIdentityOwners(ctx, keys)
	if err != nil {
		return err
	}
	for _, a := range lost {
		winner, ok := owners[a.key]
		if !ok || winner == a.contact.id || !a.contact.created {
			continue // a linked contact simply did not gain this identity
		}
		loser := a.contact.id
		if _, err := t.exec(ctx, `UPDATE identities SET contact_id = $1 WHERE contact_id = $2`, winner, loser); err != nil {
			return t.s.wrap(err, "moving identities to contact %d", winner)
		}
		if _, err := t.exec(ctx, `DELETE FROM contact_search WHERE rowid = $1`, loser); err != nil {
			return t.s.wrap(err, "unindexing contact %d", loser)
		}
		if _, err := t.exec(ctx, `DELETE FROM contacts WHERE id = $1`, loser); err != nil {
			return t.s.wrap(err, "deleting duplicate contact %d", loser)
		}
		a.contact.id, a.contact.created, a.contact.contact = winner, false, nil
	}
	return nil
}
