package store

import (
	"context"

	"github.com/parleyhq/parley"
)

// FindContactByIdentity returns the contact that holds an identity now,
// with its identities. It follows merges: after B was merged into A, B's
// identities belong to A, so whoever kept B's identity (a widget visitor's
// token) continues with A. Global kinds ignore scopeChannelID.
func (s *Store) FindContactByIdentity(ctx context.Context, kind parley.IdentityKind, scopeChannelID int64, value string) (*parley.Contact, error) {
	if kind.Global() {
		scopeChannelID = 0
	}
	value = normalizeIdentityValue(kind, value)
	var c *parley.Contact
	err := s.read(ctx, func(t *tx) error {
		var contactID int64
		err := t.queryRow(ctx, `SELECT contact_id FROM identities WHERE value = $1 AND kind = $2 AND scope_channel_id = $3`,
			value, kind, scopeChannelID).Scan(&contactID)
		if err != nil {
			return t.s.notFound(err, "identity", string(kind)+":"+value)
		}
		c, err = t.findContact(ctx, contactID)
		return err
	})
	return c, err
}
