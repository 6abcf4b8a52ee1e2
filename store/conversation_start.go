package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/parleyhq/parley"
)

// StartConversation opens a ticket an agent starts and stores its first
// message (queued like any reply) in one transaction. conv gives the
// channel, subject, thread key, assignee and contact: ContactID, or 0 to
// use the contact holding address, else a new contact (named after
// conv.Contact.Name when set). address, when given, is linked to the
// contact; one that belongs to another contact is ECONFLICT. On success
// conv is the stored ticket.
func (s *Store) StartConversation(ctx context.Context, conv *parley.Conversation, address *parley.Identity, first *parley.Message) error {
	in := outboundStart{conv: conv, address: address}
	if conv.Contact != nil {
		in.name = conv.Contact.Name
	}
	var id int64
	err := s.write(ctx, func(t *tx) error {
		ch, err := t.findChannel(ctx, conv.ChannelID)
		if err != nil {
			return err
		}
		contactID, err := t.outboundContact(ctx, in)
		if err != nil {
			return err
		}
		opened, err := t.openOutboundConversation(ctx, ch, contactID, in)
		if err != nil {
			return err
		}
		id = opened.ID
		first.ConversationID, first.ContactID = opened.ID, &contactID
		prepareMessage(first, opened, t.now)
		if err := t.insertMessage(ctx, first); err != nil {
			return err
		}
		return t.bumpForMessage(ctx, opened, first)
	})
	if err != nil {
		return err
	}
	stored, err := s.FindConversationByID(ctx, id)
	if err != nil {
		return err
	}
	*conv = *stored
	return nil
}

// outboundStart is what StartConversation was asked.
type outboundStart struct {
	conv    *parley.Conversation
	address *parley.Identity
	name    string
}

// outboundContact is the contact an agent writes to, with the address
// linked to it.
func (t *tx) outboundContact(ctx context.Context, in outboundStart) (int64, error) {
	if id := in.conv.ContactID; id != 0 {
		if _, err := t.findContact(ctx, id); err != nil {
			return 0, err
		}
		if in.address == nil {
			return id, nil
		}
		return id, t.addIdentity(ctx, id, in.address)
	}
	if in.address == nil {
		return 0, parley.Errorf(parley.EINVALID, "a contact or an address is needed")
	}
	if err := normalizeIdentity(in.address); err != nil {
		return 0, err
	}
	var id int64
	err := t.queryRow(ctx, `SELECT contact_id FROM identities WHERE value = $1 AND kind = $2 AND scope_channel_id = $3`,
		in.address.Value, in.address.Kind, in.address.ScopeChannelID).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, t.s.wrap(err, "finding the contact of %s", in.address.Value)
	}
	c := &parley.Contact{Name: in.name}
	if in.address.Kind == parley.IdentityEmail {
		c.Email = in.address.Value
	}
	if c.Name == "" {
		c.Name = in.address.Value
	}
	if err := t.queryRow(ctx, `INSERT INTO contacts (name, email, phone, company, tier, language, avatar_url, attributes, created_at, updated_at)
		VALUES ($1, $2, '', '', '', '', '', $3, $4, $4) RETURNING id`, c.Name, c.Email, jsonText(c.Attributes), t.now).Scan(&c.ID); err != nil {
		return 0, t.s.wrap(err, "creating contact")
	}
	if err := t.addIdentity(ctx, c.ID, in.address); err != nil {
		return 0, err
	}
	return c.ID, t.indexSearch(ctx, "contact_search", []searchDoc{{c.ID, contactTerms(c)}}, false)
}

// openOutboundConversation inserts the ticket the way ingest opens one
// (id, number, channel tag, search entry), assigned to its starter.
func (t *tx) openOutboundConversation(ctx context.Context, ch *parley.Channel, contactID int64, in outboundStart) (*parley.Conversation, error) {
	conv := &parley.Conversation{
		ChannelID: ch.ID, Platform: ch.Platform, ContactID: contactID, ThreadKey: in.conv.ThreadKey, Subject: in.conv.Subject,
		Status: parley.StatusOpen, Priority: parley.PriorityNormal, Tags: []string{parley.ChannelTag(ch.Platform)},
		LastMessageAt: t.now, Version: 1, CreatedAt: t.now, UpdatedAt: t.now,
	}
	ids, err := t.s.d.allocateIDs(ctx, t, "conversations", 1)
	if err != nil {
		return nil, t.s.wrap(err, "reserving a conversation id")
	}
	numbers, err := t.s.d.allocateNumbers(ctx, t, 1)
	if err != nil {
		return nil, t.s.wrap(err, "reserving a conversation number")
	}
	conv.ID, conv.Number = ids[0], numbers[0]
	b := &ingestBatch{t: t}
	opened, err := b.insertConversations(ctx, []*ingestConversation{{created: true, conv: conv}})
	if err != nil {
		return nil, err
	}
	if !opened[conv.ID] {
		return nil, parley.Errorf(parley.ECONFLICT, "the contact already has an active ticket on thread %q", in.conv.ThreadKey)
	}
	if a := in.conv.AssigneeID; a != nil {
		if _, err := t.exec(ctx, `UPDATE conversations SET assignee_id = $1 WHERE id = $2`, *a, conv.ID); err != nil {
			return nil, t.s.wrap(err, "assigning conversation %d", conv.ID)
		}
	}
	return conv, nil
}

// FindContactIDByIdentity returns the contact holding an identity; ENOTFOUND
// when nobody does.
func (s *Store) FindContactIDByIdentity(ctx context.Context, ident parley.Identity) (int64, error) {
	if err := normalizeIdentity(&ident); err != nil {
		return 0, err
	}
	var id int64
	err := s.read(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `SELECT contact_id FROM identities WHERE value = $1 AND kind = $2 AND scope_channel_id = $3`,
			ident.Value, ident.Kind, ident.ScopeChannelID).Scan(&id)
		return t.s.notFound(err, "identity", ident.Value)
	})
	return id, err
}
