package store

import (
	"context"

	"github.com/parleyhq/parley"
)

// FindContactFiles lists the stored files about a contact, for a
// data-subject export: the same set an erasure deletes (bound to the
// contact, to one of its tickets, or to a message of one), so a merged
// contact's files come along with the tickets that moved.
func (s *Store) FindContactFiles(ctx context.Context, contactID int64) ([]*parley.File, error) {
	var out []*parley.File
	err := s.read(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT `+fileColumns+` FROM files WHERE contact_id = $1
			OR conversation_id IN (SELECT id FROM conversations WHERE contact_id = $1)
			OR message_id IN (SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.contact_id = $1)
			ORDER BY created_at, storage_key`, contactID)
		if err != nil {
			return t.s.wrap(err, "finding the contact's files")
		}
		defer rows.Close()
		out = []*parley.File{}
		for rows.Next() {
			f, err := scanFile(rows)
			if err != nil {
				return t.s.wrap(err, "scanning file")
			}
			out = append(out, f)
		}
		return t.s.wrap(rows.Err(), "finding the contact's files")
	})
	return out, err
}
