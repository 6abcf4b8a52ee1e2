package store

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// FindContactsByIdentity lists the contacts with an identity of one of
// kinds whose value is value, on any channel: a platform's user id names
// the person wherever they wrote.
func (s *Store) FindContactsByIdentity(ctx context.Context, kinds []parley.IdentityKind, value string) ([]int64, error) {
	if len(kinds) == 0 || value == "" {
		return nil, nil
	}
	var ids []int64
	err := s.read(ctx, func(t *tx) (err error) {
		var args argList
		q := `SELECT DISTINCT contact_id FROM identities WHERE value = ` + args.add(value) + ` AND kind IN ` + in(&args, kinds) + ` ORDER BY contact_id`
		ids, err = t.int64s(ctx, q, args...)
		return t.s.wrap(err, "finding contacts by identity")
	})
	return ids, err
}

// RecordDeletionRequest stores a handled data-deletion callback; its
// times are the transaction's.
func (s *Store) RecordDeletionRequest(ctx context.Context, req *identity.DeletionRequest) error {
	return s.write(ctx, func(t *tx) error {
		req.RequestedAt, req.UpdatedAt = t.now, t.now
		_, err := t.exec(ctx, `INSERT INTO data_deletion_requests (code, platform_user, status, contacts_erased, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, req.Code, req.UserHash, req.Status, req.ContactsErased, t.now, t.now)
		return t.s.wrap(err, "recording the data-deletion request")
	})
}

// FindDeletionRequest returns the request with the confirmation code.
func (s *Store) FindDeletionRequest(ctx context.Context, code string) (*identity.DeletionRequest, error) {
	req := &identity.DeletionRequest{}
	err := s.read(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `SELECT code, platform_user, status, contacts_erased, created_at, updated_at
			FROM data_deletion_requests WHERE code = $1`, code).Scan(&req.Code, &req.UserHash, &req.Status, &req.ContactsErased,
			timeCol{&req.RequestedAt}, timeCol{&req.UpdatedAt})
		return t.s.notFound(err, "data-deletion request", code)
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}
