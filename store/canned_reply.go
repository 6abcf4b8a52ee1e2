package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/parleyhq/parley"
)

const cannedReplyColumns = `id, shortcut, title, body, variants, created_at, updated_at`

// FindCannedReplies lists the canned replies whose shortcut, title or body
// contains query, ignoring case, ordered by shortcut. A team has hundreds
// of them at most, so they are filtered here: Unicode case folding is
// then the same on both engines (SQLite's lower() knows only ASCII).
func (s *Store) FindCannedReplies(ctx context.Context, query string) ([]*parley.CannedReply, error) {
	var all []*parley.CannedReply
	err := s.read(ctx, func(t *tx) (err error) {
		all, err = t.queryCannedReplies(ctx, `SELECT `+cannedReplyColumns+` FROM canned_replies ORDER BY shortcut`)
		return err
	})
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	out := []*parley.CannedReply{}
	for _, r := range all {
		if q == "" || strings.Contains(strings.ToLower(r.Shortcut+"\x00"+r.Title+"\x00"+r.Body), q) {
			out = append(out, r)
		}
	}
	return out, nil
}

// FindCannedReplyByID returns one canned reply.
func (s *Store) FindCannedReplyByID(ctx context.Context, id int64) (*parley.CannedReply, error) {
	var r *parley.CannedReply
	err := s.read(ctx, func(t *tx) (err error) {
		r, err = t.findCannedReply(ctx, id)
		return err
	})
	return r, err
}

// CreateCannedReply stores a new canned reply; a taken shortcut is ECONFLICT.
func (s *Store) CreateCannedReply(ctx context.Context, r *parley.CannedReply) error {
	r.Normalize()
	if err := r.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		r.CreatedAt, r.UpdatedAt = t.now, t.now
		err := t.queryRow(ctx, `INSERT INTO canned_replies (shortcut, title, body, variants, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, r.Shortcut, r.Title, r.Body, mustJSON(r.Variants), t.now).Scan(&r.ID)
		return t.s.wrap(err, "creating canned reply %q", r.Shortcut)
	})
}

// UpdateCannedReply changes a canned reply; a taken shortcut is ECONFLICT.
func (s *Store) UpdateCannedReply(ctx context.Context, id int64, u parley.CannedReplyUpdate) (*parley.CannedReply, error) {
	var r *parley.CannedReply
	err := s.write(ctx, func(t *tx) (err error) {
		if r, err = t.findCannedReply(ctx, id); err != nil {
			return err
		}
		u.Apply(r)
		r.Normalize()
		if err := r.Validate(); err != nil {
			return err
		}
		r.UpdatedAt = t.now
		_, err = t.exec(ctx, `UPDATE canned_replies SET shortcut = $1, title = $2, body = $3, variants = $4, updated_at = $5 WHERE id = $6`,
			r.Shortcut, r.Title, r.Body, mustJSON(r.Variants), t.now, id)
		return t.s.wrap(err, "updating canned reply %d", id)
	})
	return r, err
}

// DeleteCannedReply removes a canned reply.
func (s *Store) DeleteCannedReply(ctx context.Context, id int64) error {
	return s.write(ctx, func(t *tx) error {
		n, err := t.exec(ctx, `DELETE FROM canned_replies WHERE id = $1`, id)
		if err != nil {
			return t.s.wrap(err, "deleting canned reply %d", id)
		}
		if n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "canned reply %d not found", id)
		}
		return nil
	})
}

func (t *tx) findCannedReply(ctx context.Context, id int64) (*parley.CannedReply, error) {
	rs, err := t.queryCannedReplies(ctx, `SELECT `+cannedReplyColumns+` FROM canned_replies WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, parley.Errorf(parley.ENOTFOUND, "canned reply %d not found", id)
	}
	return rs[0], nil
}

func (t *tx) queryCannedReplies(ctx context.Context, q string, args ...any) ([]*parley.CannedReply, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.s.wrap(err, "loading canned replies")
	}
	defer rows.Close()
	var out []*parley.CannedReply
	for rows.Next() {
		r := &parley.CannedReply{}
		var variants string
		if err := rows.Scan(&r.ID, &r.Shortcut, &r.Title, &r.Body, &variants, timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt}); err != nil {
			return nil, t.s.wrap(err, "scanning canned reply")
		}
		if err := json.Unmarshal([]byte(variants), &r.Variants); err != nil {
			return nil, parley.WrapError(parley.EINTERNAL, err, "decoding variants of canned reply %d", r.ID)
		}
		out = append(out, r)
	}
	return out, t.s.wrap(rows.Err(), "loading canned replies")
}
