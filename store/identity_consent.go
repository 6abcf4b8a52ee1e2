package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// SetConsent records a contact's opt-in or opt-out for proactive messages
// of a purpose on a platform (e.g. WhatsApp marketing). UpdatedAt is set
// to now.
func (s *Store) SetConsent(ctx context.Context, c identity.Consent) (*identity.Consent, error) {
	c.Purpose = strings.TrimSpace(c.Purpose)
	if !c.Platform.Valid() {
		return nil, parley.Errorf(parley.EINVALID, "unknown platform %q", c.Platform)
	}
	if c.Purpose == "" || len(c.Purpose) > 64 {
		return nil, parley.Errorf(parley.EINVALID, "purpose must be 1–64 characters")
	}
	err := s.write(ctx, func(t *tx) error {
		if _, err := t.findContact(ctx, c.ContactID); err != nil {
			return err
		}
		c.UpdatedAt = t.now
		return t.upsertConsent(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// FindConsents lists a contact's consent decisions.
func (s *Store) FindConsents(ctx context.Context, contactID int64) ([]identity.Consent, error) {
	var out []identity.Consent
	err := s.read(ctx, func(t *tx) (err error) {
		if _, err := t.findContact(ctx, contactID); err != nil {
			return err
		}
		out, err = t.consentsOf(ctx, contactID)
		return err
	})
	return out, err
}

// ConsentAllows is the check every proactive sender (campaigns,
// notifications, re-engagement templates) makes before writing first: it
// is true only if the contact opted in to purpose on platform and has not
// opted out since. No record means no. Replies inside a conversation the
// customer started need no consent and do not call this.
func (s *Store) ConsentAllows(ctx context.Context, contactID int64, platform parley.Platform, purpose string) (bool, error) {
	var granted bool
	err := s.read(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `SELECT granted FROM contact_consents WHERE contact_id = $1 AND platform = $2 AND purpose = $3`,
			contactID, platform, purpose).Scan(&granted)
		if errors.Is(err, sql.ErrNoRows) {
			granted = false
			return nil
		}
		return t.s.wrap(err, "checking consent")
	})
	return granted, err
}

// ConsentOptedOut reports whether the contact said no to any purpose on
// platform. A proactive message (outside the reply window) is refused
// then, whatever its purpose: "stop" on a channel means stop.
func (s *Store) ConsentOptedOut(ctx context.Context, contactID int64, platform parley.Platform) (bool, error) {
	var n int
	err := s.read(ctx, func(t *tx) error {
		return t.s.wrap(t.queryRow(ctx, `SELECT COUNT(*) FROM contact_consents WHERE contact_id = $1 AND platform = $2 AND NOT granted`,
			contactID, platform).Scan(&n), "checking opt-out")
	})
	return n > 0, err
}

func (t *tx) consentsOf(ctx context.Context, contactIDs ...int64) ([]identity.Consent, error) {
	var args argList
	rows, err := t.query(ctx, `SELECT contact_id, platform, purpose, granted, source, updated_at FROM contact_consents WHERE contact_id IN `+
		in(&args, contactIDs)+` ORDER BY contact_id, platform, purpose`, args...)
	if err != nil {
		return nil, t.s.wrap(err, "loading consent")
	}
	defer rows.Close()
	out := []identity.Consent{}
	for rows.Next() {
		var c identity.Consent
		if err := rows.Scan(&c.ContactID, &c.Platform, &c.Purpose, &c.Granted, &c.Source, timeCol{&c.UpdatedAt}); err != nil {
			return nil, t.s.wrap(err, "scanning consent")
		}
		out = append(out, c)
	}
	return out, t.s.wrap(rows.Err(), "loading consent")
}

func (t *tx) upsertConsent(ctx context.Context, c identity.Consent) error {
	_, err := t.exec(ctx, `INSERT INTO contact_consents (contact_id, platform, purpose, granted, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (contact_id, platform, purpose) DO UPDATE SET granted = excluded.granted, source = excluded.source, updated_at = excluded.updated_at`,
		c.ContactID, c.Platform, c.Purpose, c.Granted, c.Source, c.UpdatedAt)
	return t.s.wrap(err, "storing consent")
}
