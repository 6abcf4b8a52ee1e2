package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// UndoMerge reverses a recorded merge: the source contact comes back with
// its id, fields, identities, claims, tickets, messages and consent, and
// the survivor's fields and consent are put back as they were before the
// merge (changes made to the survivor since are overwritten). A merge is
// undone once; it cannot be undone after the survivor was itself merged
// away or erased, or after its source id was taken.
func (s *Store) UndoMerge(ctx context.Context, mergeID int64) (*identity.MergeResult, error) {
	var res *identity.MergeResult
	err := s.write(ctx, func(t *tx) error {
		snap, r, err := t.loadMerge(ctx, mergeID)
		if err != nil {
			return err
		}
		if err := t.undoMerge(ctx, snap, r); err != nil {
			return err
		}
		// The source is back with its own dismissals; the survivor loses
		// the ones it only had through it.
		if _, err := t.exec(ctx, `DELETE FROM contact_suggestion_dismissals WHERE merge_id = $1`, mergeID); err != nil {
			return t.s.wrap(err, "dropping dismissals carried by merge %d", mergeID)
		}
		if _, err := t.exec(ctx, `UPDATE contact_merges SET undone_at = $1 WHERE id = $2`, t.now, mergeID); err != nil {
			return t.s.wrap(err, "recording undo of merge %d", mergeID)
		}
		res = r
		return nil
	})
	return res, err
}

// FindMerge returns a recorded merge's result.
func (s *Store) FindMerge(ctx context.Context, mergeID int64) (*identity.MergeResult, error) {
	var res *identity.MergeResult
	err := s.read(ctx, func(t *tx) error {
		var raw string
		if err := t.queryRow(ctx, `SELECT result FROM contact_merges WHERE id = $1`, mergeID).Scan(&raw); err != nil {
			return t.s.notFound(err, "merge", mergeID)
		}
		res = &identity.MergeResult{}
		return t.s.wrap(json.Unmarshal([]byte(raw), res), "decoding merge %d", mergeID)
	})
	return res, err
}

func (t *tx) loadMerge(ctx context.Context, mergeID int64) (*mergeSnapshot, *identity.MergeResult, error) {
	var snapRaw, resRaw string
	var undone *int64
	err := t.queryRow(ctx, `SELECT snapshot, result, CASE WHEN undone_at IS NULL THEN NULL ELSE 1 END FROM contact_merges WHERE id = $1`, mergeID).
		Scan(&snapRaw, &resRaw, nullIDCol{&undone})
	if err != nil {
		return nil, nil, t.s.notFound(err, "merge", mergeID)
	}
	if undone != nil {
		return nil, nil, parley.Errorf(parley.ECONFLICT, "merge %d was already undone", mergeID)
	}
	snap, res := &mergeSnapshot{}, &identity.MergeResult{}
	if err := json.Unmarshal([]byte(snapRaw), snap); err != nil {
		return nil, nil, parley.WrapError(parley.EINTERNAL, err, "decoding merge %d", mergeID)
	}
	if err := json.Unmarshal([]byte(resRaw), res); err != nil {
		return nil, nil, parley.WrapError(parley.EINTERNAL, err, "decoding merge %d", mergeID)
	}
	return snap, res, nil
}

func (t *tx) undoMerge(ctx context.Context, snap *mergeSnapshot, res *identity.MergeResult) error {
	survivorID, sourceID := snap.Survivor.ID, snap.Source.ID
	// The survivor must be the same contact, not a new one that reused its
	// id (SQLite hands out max(id)+1), and it must not have been erased.
	var n int
	var created time.Time
	var name string
	err := t.queryRow(ctx, `SELECT created_at, name FROM contacts WHERE id = $1`, survivorID).Scan(timeCol{&created}, &name)
	if err != nil || !created.Equal(snap.Survivor.CreatedAt) || (name == identity.ErasedName && snap.Survivor.Name != identity.ErasedName) {
		return parley.Errorf(parley.ECONFLICT, "contact %d no longer exists (merged away or erased): merge %d cannot be undone", survivorID, res.MergeID)
	}
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE id = $1`, sourceID).Scan(&n); err != nil || n > 0 {
		return parley.Errorf(parley.ECONFLICT, "contact id %d is taken again: merge %d cannot be undone", sourceID, res.MergeID)
	}
	if err := t.insertContactRow(ctx, snap.Source); err != nil {
		return err
	}
	if err := t.writeContactRow(ctx, snap.Survivor, snap.Survivor.UpdatedAt); err != nil {
		return err
	}
	steps := []func(context.Context, *mergeSnapshot) error{t.unmergeRows, t.unmergeClaims, t.unmergeConsents}
	for _, step := range steps {
		if err := step(ctx, snap); err != nil {
			return err
		}
	}
	return nil
}

// unmergeRows moves identities, tickets and messages back to the source.
func (t *tx) unmergeRows(ctx context.Context, snap *mergeSnapshot) error {
	sourceID := snap.Source.ID
	if len(snap.Identities) > 0 {
		var args argList
		q := `UPDATE identities SET contact_id = ` + args.add(sourceID) + ` WHERE id IN ` + in(&args, snap.Identities)
		if _, err := t.exec(ctx, q, args...); err != nil {
			return t.s.wrap(err, "moving identities back")
		}
	}
	for _, c := range snap.Conversations {
		if _, err := t.exec(ctx, `UPDATE conversations SET contact_id = $1, thread_key = $2 WHERE id = $3`, sourceID, c.ThreadKey, c.ID); err != nil {
			return t.s.wrap(err, "moving ticket %d back", c.ID)
		}
	}
	for rest := snap.Messages; len(rest) > 0; {
		n := min(len(rest), 500)
		var args argList
		q := `UPDATE messages SET contact_id = ` + args.add(sourceID) + ` WHERE id IN ` + in(&args, rest[:n])
		if _, err := t.exec(ctx, q, args...); err != nil {
			return t.s.wrap(err, "moving messages back")
		}
		rest = rest[n:]
	}
	return nil
}

func (t *tx) unmergeClaims(ctx context.Context, snap *mergeSnapshot) error {
	if len(snap.ClaimsAdded) > 0 {
		var args argList
		if _, err := t.exec(ctx, `DELETE FROM identity_claims WHERE id IN `+in(&args, snap.ClaimsAdded), args...); err != nil {
			return t.s.wrap(err, "removing moved claims")
		}
	}
	for _, c := range snap.Claims {
		if _, err := t.exec(ctx, `INSERT INTO identity_claims (id, contact_id, kind, value, channel_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.ID, c.ContactID, c.Kind, c.Value, c.ChannelID, c.CreatedAt); err != nil {
			return t.s.wrap(err, "restoring claims")
		}
	}
	return nil
}

func (t *tx) unmergeConsents(ctx context.Context, snap *mergeSnapshot) error {
	var args argList
	if _, err := t.exec(ctx, `DELETE FROM contact_consents WHERE contact_id IN `+in(&args, []int64{snap.Survivor.ID, snap.Source.ID}), args...); err != nil {
		return t.s.wrap(err, "clearing consent")
	}
	for _, c := range snap.Consents {
		if err := t.upsertConsent(ctx, c); err != nil {
			return err
		}
	}
	return nil
}
