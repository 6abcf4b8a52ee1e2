package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// ExportContact gathers everything stored about a contact (data-subject
// access request): the contact with identities, claims, consent, every
// ticket with every message, ticket links, the merges it took part in and
// the cached answer of the company's systems. The export is recorded
// (without personal data) in privacy_requests.
func (s *Store) ExportContact(ctx context.Context, contactID, agentID int64) (*identity.Export, error) {
	var out *identity.Export
	err := s.write(ctx, func(t *tx) (err error) {
		out, err = t.exportContact(ctx, contactID)
		if err != nil {
			return err
		}
		return t.recordPrivacyRequest(ctx, "export", contactID, agentID, map[string]int{
			"conversations": len(out.Conversations), "messages": len(out.Messages)})
	})
	return out, err
}

func (t *tx) exportContact(ctx context.Context, contactID int64) (*identity.Export, error) {
	x := &identity.Export{Format: identity.ExportFormat, GeneratedAt: t.now}
	var err error
	if x.Contact, err = t.findContact(ctx, contactID); err != nil {
		return nil, err
	}
	if x.Claims, err = t.findClaims(ctx, contactID); err != nil {
		return nil, err
	}
	if x.Consents, err = t.consentsOf(ctx, contactID); err != nil {
		return nil, err
	}
	if x.Conversations, err = t.queryConversations(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE contact_id = $1 ORDER BY id`, contactID); err != nil {
		return nil, err
	}
	for _, c := range x.Conversations {
		c.Contact = nil // the contact is at the top
	}
	if x.Messages, err = t.queryMessages(ctx, `SELECT `+prefixColumns("m", messageColumns)+` FROM messages m
		JOIN conversations c ON c.id = m.conversation_id WHERE c.contact_id = $1 ORDER BY m.id`, contactID); err != nil {
		return nil, t.s.wrap(err, "exporting messages")
	}
	if x.Links, err = t.contactLinks(ctx, contactID); err != nil {
		return nil, err
	}
	if x.Merges, err = t.mergesOf(ctx, x.Contact); err != nil {
		return nil, err
	}
	var body string
	err = t.queryRow(ctx, `SELECT body FROM contact_lookup_cache WHERE contact_id = $1`, contactID).Scan(&body)
	switch {
	case err == nil:
		x.External = json.RawMessage(body)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, t.s.wrap(err, "exporting cached lookup")
	}
	return x, nil
}

// mergesOf lists the results of the merges a contact took part in. Merges
// older than the contact were made by an earlier contact with the same id
// (SQLite reuses the highest id after a delete) and are not theirs.
func (t *tx) mergesOf(ctx context.Context, c *parley.Contact) ([]identity.MergeResult, error) {
	rows, err := t.query(ctx, `SELECT result FROM contact_merges WHERE (survivor_id = $1 OR source_id = $1) AND created_at >= $2 ORDER BY id`,
		c.ID, c.CreatedAt)
	if err != nil {
		return nil, t.s.wrap(err, "loading merges")
	}
	defer rows.Close()
	out := []identity.MergeResult{}
	for rows.Next() {
		var raw string
		var r identity.MergeResult
		if err := rows.Scan(&raw); err != nil {
			return nil, t.s.wrap(err, "scanning merge")
		}
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, parley.WrapError(parley.EINTERNAL, err, "decoding merge")
		}
		out = append(out, r)
	}
	return out, t.s.wrap(rows.Err(), "loading merges")
}

// recordPrivacyRequest keeps the audit trail of data-subject requests:
// what was done, to which contact id, by whom, with counts only.
func (t *tx) recordPrivacyRequest(ctx context.Context, kind string, contactID, agentID int64, summary any) error {
	_, err := t.exec(ctx, `INSERT INTO privacy_requests (kind, contact_id, agent_id, summary, created_at) VALUES ($1, $2, $3, $4, $5)`,
		kind, contactID, nullAgent(agentID), mustJSON(summary), t.now)
	return t.s.wrap(err, "recording %s request", kind)
}
