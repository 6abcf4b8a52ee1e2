package store

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// mergeSnapshot is everything a merge changed, as it was before, so that
// undo can put it back exactly.
type mergeSnapshot struct {
	Survivor      *parley.Contact     `json:"survivor"` // both rows as they were (without identities)
	Source        *parley.Contact     `json:"source"`
	Identities    []int64             `json:"identities"` // the source's identity rows, moved
	Claims        []claimRow          `json:"claims"`     // the source's claim rows, removed
	ClaimsAdded   []int64             `json:"claims_added"`
	Conversations []movedConversation `json:"conversations"`
	Messages      []int64             `json:"messages"` // rows whose contact_id was the source
	Consents      []identity.Consent  `json:"consents"` // both contacts' consent rows before
}

type claimRow struct {
	ID int64 `json:"id"`
	identity.Claim
}

type movedConversation struct {
	ID        int64  `json:"id"`
	ThreadKey string `json:"thread_key"`
}

// MergeContacts merges source into survivor: identities, claims, tickets,
// messages and consent move to the survivor, and the source is deleted.
// Conflicting fields follow identity.MergeRule and are listed in the
// result. The merge is recorded with a snapshot; UndoMerge reverses it.
func (s *Store) MergeContacts(ctx context.Context, survivorID, sourceID, agentID int64) (*identity.MergeResult, error) {
	if survivorID == sourceID {
		return nil, parley.Errorf(parley.EINVALID, "a contact cannot be merged into itself")
	}
	var res *identity.MergeResult
	err := s.write(ctx, func(t *tx) (err error) {
		res, err = t.mergeContacts(ctx, survivorID, sourceID, agentID)
		return err
	})
	return res, err
}

func (t *tx) mergeContacts(ctx context.Context, survivorID, sourceID, agentID int64) (*identity.MergeResult, error) {
	if err := t.lockContacts(ctx, survivorID, sourceID); err != nil {
		return nil, err
	}
	survivor, err := t.findContact(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	source, err := t.findContact(ctx, sourceID)
	if err != nil {
		return nil, err
	}
	var mergeID int64
	if err := t.queryRow(ctx, `INSERT INTO contact_merges (survivor_id, source_id, agent_id, snapshot, result, created_at)
		VALUES ($1, $2, $3, '{}', '{}', $4) RETURNING id`, survivorID, sourceID, nullAgent(agentID), t.now).Scan(&mergeID); err != nil {
		return nil, t.s.wrap(err, "recording merge")
	}
	snap := &mergeSnapshot{Survivor: bareContact(survivor), Source: bareContact(source)}
	res := &identity.MergeResult{MergeID: mergeID, SurvivorID: survivorID, SourceID: sourceID, Rule: identity.MergeRule, CreatedAt: t.now,
		Identities: len(source.Identities)}
	for _, id := range source.Identities {
		snap.Identities = append(snap.Identities, id.ID)
	}
	steps := []func(context.Context, *mergeSnapshot, *identity.MergeResult) error{
		t.mergeIdentities, t.mergeClaims, t.mergeConversations, t.mergeMessages, t.mergeConsents,
	}
	for _, step := range steps {
		if err := step(ctx, snap, res); err != nil {
			return nil, err
		}
	}
	if err := t.carryDismissals(ctx, survivorID, sourceID, mergeID); err != nil {
		return nil, err
	}
	merged, conflicts := mergeFields(survivor, source)
	res.Conflicts = append(conflicts, res.Conflicts...)
	if err := t.writeContactRow(ctx, merged, t.now); err != nil {
		return nil, err
	}
	if err := t.deleteContactRow(ctx, sourceID); err != nil {
		return nil, err
	}
	if res.Survivor, err = t.findContact(ctx, survivorID); err != nil {
		return nil, err
	}
	_, err = t.exec(ctx, `UPDATE contact_merges SET snapshot = $1, result = $2 WHERE id = $3`, mustJSON(snap), mustJSON(res), mergeID)
	return res, t.s.wrap(err, "recording merge %d", mergeID)
}

// lockContacts makes concurrent merges of the same contacts wait for each
// other on PostgreSQL (in id order, so two cannot deadlock); the one that
// comes second then finds a merged-away contact gone. SQLite has one
// writer, so merges are serial there anyway.
func (t *tx) lockContacts(ctx context.Context, ids ...int64) error {
	if t.s.d.name() != "postgres" {
		return nil
	}
	var args argList
	_, err := t.int64s(ctx, `SELECT id FROM contacts WHERE id IN `+in(&args, ids)+` ORDER BY id FOR UPDATE`, args...)
	return t.s.wrap(err, "locking contacts")
}

func nullAgent(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings, numbers and times always encode
	}
	return string(b)
}

// bareContact is a copy of the contact row without its identities.
func bareContact(c *parley.Contact) *parley.Contact {
	cp := *c
	cp.Identities = nil
	cp.Attributes = maps.Clone(c.Attributes)
	return &cp
}

// mergeFields applies identity.MergeRule: the survivor's non-empty values
// stay, its empty ones are filled from the source, and every differing
// pair is reported.
func mergeFields(survivor, source *parley.Contact) (*parley.Contact, []identity.AttributeConflict) {
	m := bareContact(survivor)
	conflicts := []identity.AttributeConflict{}
	pick := func(field string, dst *string, theirs string) {
		switch {
		case theirs == "" || *dst == theirs:
		case *dst == "":
			*dst = theirs
		default:
			conflicts = append(conflicts, identity.AttributeConflict{Field: field, Kept: *dst, Discarded: theirs})
		}
	}
	pick("name", &m.Name, source.Name)
	pick("email", &m.Email, source.Email)
	pick("phone", &m.Phone, source.Phone)
	pick("company", &m.Company, source.Company)
	pick("tier", &m.Tier, source.Tier)
	pick("language", &m.Language, source.Language)
	pick("avatar_url", &m.AvatarURL, source.AvatarURL)
	keys := slices.Sorted(maps.Keys(source.Attributes))
	for _, k := range keys {
		if m.Attributes == nil {
			m.Attributes = map[string]string{}
		}
		v := m.Attributes[k]
		pick("attributes."+k, &v, source.Attributes[k])
		m.Attributes[k] = v
	}
	return m, conflicts
}

func (t *tx) mergeIdentities(ctx context.Context, snap *mergeSnapshot, res *identity.MergeResult) error {
	_, err := t.exec(ctx, `UPDATE identities SET contact_id = $1 WHERE contact_id = $2`, res.SurvivorID, res.SourceID)
	return t.s.wrap(err, "moving identities")
}

// mergeClaims moves the source's claims; ones the survivor already has
// are dropped (and come back on undo).
func (t *tx) mergeClaims(ctx context.Context, snap *mergeSnapshot, res *identity.MergeResult) error {
	rows, err := t.query(ctx, `SELECT id, contact_id, kind, value, channel_id, created_at FROM identity_claims WHERE contact_id = $1 ORDER BY id`, res.SourceID)
	if err != nil {
		return t.s.wrap(err, "loading claims")
	}
	for rows.Next() {
		var c claimRow
		if err := rows.Scan(&c.ID, &c.ContactID, &c.Kind, &c.Value, &c.ChannelID, timeCol{&c.CreatedAt}); err != nil {
			rows.Close()
			return t.s.wrap(err, "scanning claim")
		}
		snap.Claims = append(snap.Claims, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t.s.wrap(err, "loading claims")
	}
	if _, err := t.exec(ctx, `DELETE FROM identity_claims WHERE contact_id = $1`, res.SourceID); err != nil {
		return t.s.wrap(err, "removing claims")
	}
	for _, c := range snap.Claims {
		ids, err := t.int64s(ctx, `INSERT INTO identity_claims (contact_id, kind, value, channel_id, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT DO NOTHING RETURNING id`, res.SurvivorID, c.Kind, c.Value, c.ChannelID, c.CreatedAt)
		if err != nil {
			return t.s.wrap(err, "moving claims")
		}
		snap.ClaimsAdded = append(snap.ClaimsAdded, ids...)
	}
	return nil
}

// mergeConversations moves the source's tickets. An active ticket on the
// same channel and thread as an active ticket of the survivor would break
// "one active ticket per thread": it gets a thread key of its own (both
// stay visible; agents can merge the tickets themselves).
func (t *tx) mergeConversations(ctx context.Context, snap *mergeSnapshot, res *identity.MergeResult) error {
	var args argList
	convs, err := t.queryConversations(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE contact_id IN `+
		in(&args, []int64{res.SurvivorID, res.SourceID})+` ORDER BY id`, args...)
	if err != nil {
		return err
	}
	active := map[threadKey]bool{}
	for _, c := range convs {
		if c.ContactID == res.SurvivorID && c.Status.Active() {
			active[threadKey{c.ChannelID, 0, c.ThreadKey}] = true
		}
	}
	for _, c := range convs {
		if c.ContactID != res.SourceID {
			continue
		}
		snap.Conversations = append(snap.Conversations, movedConversation{ID: c.ID, ThreadKey: c.ThreadKey})
		thread := c.ThreadKey
		if c.Status.Active() && active[threadKey{c.ChannelID, 0, thread}] {
			thread = c.ThreadKey + "#merged-" + strconv.FormatInt(res.MergeID, 10)
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET contact_id = $1, thread_key = $2 WHERE id = $3`, res.SurvivorID, thread, c.ID); err != nil {
			return t.s.wrap(err, "moving ticket %d", c.ID)
		}
	}
	res.Conversations = len(snap.Conversations)
	return nil
}

func (t *tx) mergeMessages(ctx context.Context, snap *mergeSnapshot, res *identity.MergeResult) error {
	ids, err := t.int64s(ctx, `SELECT id FROM messages WHERE contact_id = $1 ORDER BY id`, res.SourceID)
	if err != nil {
		return t.s.wrap(err, "loading messages")
	}
	snap.Messages = ids
	_, err = t.exec(ctx, `UPDATE messages SET contact_id = $1 WHERE contact_id = $2`, res.SurvivorID, res.SourceID)
	return t.s.wrap(err, "moving messages")
}

// mergeConsents keeps, per platform and purpose, the most recent decision.
func (t *tx) mergeConsents(ctx context.Context, snap *mergeSnapshot, res *identity.MergeResult) error {
	all, err := t.consentsOf(ctx, res.SurvivorID, res.SourceID)
	if err != nil {
		return err
	}
	snap.Consents = all
	type key struct {
		p parley.Platform
		u string
	}
	mine := map[key]identity.Consent{}
	for _, c := range all {
		if c.ContactID == res.SurvivorID {
			mine[key{c.Platform, c.Purpose}] = c
		}
	}
	for _, c := range all {
		if c.ContactID != res.SourceID {
			continue
		}
		have, ok := mine[key{c.Platform, c.Purpose}]
		if ok && !c.UpdatedAt.After(have.UpdatedAt) {
			continue
		}
		if ok && have.Granted != c.Granted {
			res.Conflicts = append(res.Conflicts, identity.AttributeConflict{Field: "consent." + string(c.Platform) + "." + c.Purpose,
				Kept: grantWord(c.Granted), Discarded: grantWord(have.Granted)})
		}
		c.ContactID = res.SurvivorID
		if err := t.upsertConsent(ctx, c); err != nil {
			return err
		}
		res.Consents++
	}
	_, err = t.exec(ctx, `DELETE FROM contact_consents WHERE contact_id = $1`, res.SourceID)
	return t.s.wrap(err, "removing merged consent")
}

func grantWord(g bool) string {
	if g {
		return "opted in"
	}
	return "opted out"
}

// writeContactRow stores every column of c as given (updatedAt included)
// and reindexes it for search.
func (t *tx) writeContactRow(ctx context.Context, c *parley.Contact, updatedAt time.Time) error {
	c.UpdatedAt = updatedAt
	_, err := t.exec(ctx, `UPDATE contacts SET name = $1, email = $2, phone = $3, company = $4, tier = $5, language = $6,
		avatar_url = $7, attributes = $8, created_at = $9, updated_at = $10 WHERE id = $11`,
		c.Name, c.Email, c.Phone, c.Company, c.Tier, c.Language, c.AvatarURL, jsonText(c.Attributes), c.CreatedAt, c.UpdatedAt, c.ID)
	if err != nil {
		return t.s.wrap(err, "writing contact %d", c.ID)
	}
	return t.indexSearch(ctx, "contact_search", []searchDoc{{c.ID, contactTerms(c)}}, true)
}

// insertContactRow puts back a contact row with its original id.
func (t *tx) insertContactRow(ctx context.Context, c *parley.Contact) error {
	_, err := t.exec(ctx, `INSERT INTO contacts (id, name, email, phone, company, tier, language, avatar_url, attributes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ID, c.Name, c.Email, c.Phone, c.Company, c.Tier, c.Language, c.AvatarURL, jsonText(c.Attributes), c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return t.s.wrap(err, "restoring contact %d", c.ID)
	}
	return t.indexSearch(ctx, "contact_search", []searchDoc{{c.ID, contactTerms(c)}}, false)
}

func (t *tx) deleteContactRow(ctx context.Context, id int64) error {
	if _, err := t.exec(ctx, `DELETE FROM contact_search WHERE rowid = $1`, id); err != nil {
		return t.s.wrap(err, "unindexing contact %d", id)
	}
	if _, err := t.exec(ctx, `DELETE FROM contact_lookup_cache WHERE contact_id = $1`, id); err != nil {
		return t.s.wrap(err, "dropping cached lookup of contact %d", id)
	}
	_, err := t.exec(ctx, `DELETE FROM contacts WHERE id = $1`, id)
	return t.s.wrap(err, "deleting contact %d", id)
}
