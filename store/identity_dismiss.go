package store

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// DismissSuggestion records that an agent judged contactID and otherID to
// be different people, so that neither is suggested for the other again,
// whichever side is asked about. Dismissing a pair again keeps the first
// record (who and when), unless that record only came from a merge: then
// the agent's own judgement replaces it, so undoing the merge keeps it.
func (s *Store) DismissSuggestion(ctx context.Context, contactID, otherID, agentID int64) error {
	if contactID == otherID {
		return parley.Errorf(parley.EINVALID, "a contact cannot be dismissed as a duplicate of itself")
	}
	return s.write(ctx, func(t *tx) error {
		for _, id := range []int64{contactID, otherID} {
			if _, err := t.findContact(ctx, id); err != nil {
				return err
			}
		}
		low, high := min(contactID, otherID), max(contactID, otherID)
		_, err := t.exec(ctx, `INSERT INTO contact_suggestion_dismissals (contact_low, contact_high, agent_id, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (contact_low, contact_high) DO UPDATE
			SET agent_id = excluded.agent_id, merge_id = NULL, created_at = excluded.created_at
			WHERE contact_suggestion_dismissals.merge_id IS NOT NULL`, low, high, nullAgent(agentID), t.now)
		return t.s.wrap(err, "dismissing suggestion")
	})
}

// UndoDismissal forgets that contactID and otherID were judged different
// people, in either order, so each may be suggested for the other again.
// A dismissal that a merge carried over goes too; the merged-away
// contact's own one stays for undoing that merge.
func (s *Store) UndoDismissal(ctx context.Context, contactID, otherID int64) error {
	return s.write(ctx, func(t *tx) error {
		n, err := t.exec(ctx, `DELETE FROM contact_suggestion_dismissals WHERE contact_low = $1 AND contact_high = $2`,
			min(contactID, otherID), max(contactID, otherID))
		if err != nil {
			return t.s.wrap(err, "undoing dismissal")
		}
		if n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "contacts %d and %d were not dismissed as different people", contactID, otherID)
		}
		return nil
	})
}

// SuggestionDismissals lists the dismissals that concern a contact, for
// audit: with whom, by whom, when.
func (s *Store) SuggestionDismissals(ctx context.Context, contactID int64) ([]identity.Dismissal, error) {
	var out []identity.Dismissal
	err := s.read(ctx, func(t *tx) error {
		rows, err := t.query(ctx, dismissedPartnersQuery(`d.agent_id, d.merge_id, d.created_at`)+` ORDER BY 1`, contactID)
		if err != nil {
			return t.s.wrap(err, "loading dismissals")
		}
		defer rows.Close()
		out = []identity.Dismissal{}
		for rows.Next() {
			d := identity.Dismissal{ContactID: contactID}
			if err := rows.Scan(&d.OtherID, &d.AgentID, &d.MergeID, timeCol{&d.CreatedAt}); err != nil {
				return t.s.wrap(err, "scanning dismissal")
			}
			out = append(out, d)
		}
		return t.s.wrap(rows.Err(), "loading dismissals")
	})
	return out, err
}

// dismissedPartnersQuery selects the other contact of every dismissal of
// $1 that is newer than both contacts (an older one was about an earlier
// contact with a reused id), then the extra columns.
func dismissedPartnersQuery(extra string) string {
	cols := "o.id"
	if extra != "" {
		cols += ", " + extra
	}
	return `SELECT ` + cols + ` FROM contact_suggestion_dismissals d
			JOIN contacts o ON o.id = d.contact_high JOIN contacts me ON me.id = d.contact_low
			WHERE d.contact_low = $1 AND d.created_at >= o.created_at AND d.created_at >= me.created_at
		UNION ALL SELECT ` + cols + ` FROM contact_suggestion_dismissals d
			JOIN contacts o ON o.id = d.contact_low JOIN contacts me ON me.id = d.contact_high
			WHERE d.contact_high = $1 AND d.created_at >= o.created_at AND d.created_at >= me.created_at`
}

// dropDismissed removes the contacts dismissed for contactID from the
// evidence, before the list is cut to its maximum.
func (t *tx) dropDismissed(ctx context.Context, contactID int64, evidence map[int64][]identity.Evidence) error {
	if len(evidence) == 0 {
		return nil
	}
	ids, err := t.int64s(ctx, dismissedPartnersQuery(""), contactID)
	if err != nil {
		return t.s.wrap(err, "loading dismissed suggestions")
	}
	for _, id := range ids {
		delete(evidence, id)
	}
	return nil
}

// carryDismissals gives the survivor of a merge the source's dismissals:
// the agent judged the source's person different from those contacts, and
// the survivor is now that person. The source's own rows stay for
// UndoMerge; the copies are dated now, so they count for the survivor
// whatever its age, and name the merge.
func (t *tx) carryDismissals(ctx context.Context, survivorID, sourceID, mergeID int64) error {
	_, err := t.exec(ctx, `INSERT INTO contact_suggestion_dismissals (contact_low, contact_high, agent_id, merge_id, created_at)
		SELECT CASE WHEN other < $1 THEN other ELSE $1 END, CASE WHEN other < $1 THEN $1 ELSE other END, agent_id, $3, $4
		FROM (SELECT contact_high AS other, agent_id FROM contact_suggestion_dismissals WHERE contact_low = $2
			UNION ALL SELECT contact_low, agent_id FROM contact_suggestion_dismissals WHERE contact_high = $2) src
		WHERE other <> $1
		ON CONFLICT DO NOTHING`, survivorID, sourceID, mergeID, t.now)
	return t.s.wrap(err, "carrying dismissed suggestions over")
}
