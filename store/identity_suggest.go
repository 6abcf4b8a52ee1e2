package store

import (
	"context"
	"sort"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// maxSuggestions bounds what an agent is shown.
const maxSuggestions = 20

// matchValue is one identifier of the contact asked about, with where it
// comes from.
type matchValue struct {
	kind   parley.IdentityKind
	value  string
	source string
}

// SuggestContacts offers other contacts that may be the same person as
// contactID: they share an e-mail address or phone number where at least
// one side is unverified (typed into a chat, given in a form, on the
// contact record), or the same name and company. Nothing is merged: the
// evidence is for an agent to judge.
func (s *Store) SuggestContacts(ctx context.Context, contactID int64) ([]identity.Suggestion, error) {
	var out []identity.Suggestion
	err := s.read(ctx, func(t *tx) error {
		c, err := t.findContact(ctx, contactID)
		if err != nil {
			return err
		}
		values, err := t.matchValues(ctx, c)
		if err != nil {
			return err
		}
		evidence := map[int64][]identity.Evidence{}
		for _, v := range values {
			if err := t.findSharing(ctx, c.ID, v, evidence); err != nil {
				return err
			}
		}
		if err := t.findSameNameCompany(ctx, c, evidence); err != nil {
			return err
		}
		if err := t.dropDismissed(ctx, c.ID, evidence); err != nil {
			return err
		}
		out, err = t.suggestionsFrom(ctx, evidence)
		return err
	})
	return out, err
}

// matchValues gathers the contact's e-mail addresses and phone numbers.
func (t *tx) matchValues(ctx context.Context, c *parley.Contact) ([]matchValue, error) {
	var values []matchValue
	seen := map[matchValue]bool{} // by kind and value: the first source names it
	add := func(kind parley.IdentityKind, v, source string) {
		v = normalizeIdentityValue(kind, v)
		if canon, err := identity.Normalize(kind, v, ""); err == nil {
			v = canon
		}
		key := matchValue{kind: kind, value: v}
		if v != "" && !seen[key] {
			seen[key] = true
			values = append(values, matchValue{kind, v, source})
		}
	}
	for _, id := range c.Identities {
		if id.Kind == parley.IdentityEmail || id.Kind == parley.IdentityPhone {
			add(id.Kind, id.Value, identitySource(id.Verified))
		}
	}
	add(parley.IdentityEmail, c.Email, identity.SourceContactRecord)
	add(parley.IdentityPhone, c.Phone, identity.SourceContactRecord)
	claims, err := t.findClaims(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, cl := range claims {
		add(cl.Kind, cl.Value, identity.SourceClaim)
	}
	return values, nil
}

func identitySource(verified bool) string {
	if verified {
		return identity.SourceVerifiedIdentity
	}
	return identity.SourceUnverifiedIdentity
}

// findSharing records the other contacts that have value v anywhere.
func (t *tx) findSharing(ctx context.Context, self int64, v matchValue, evidence map[int64][]identity.Evidence) error {
	column := "email"
	if v.kind == parley.IdentityPhone {
		column = "phone"
	}
	q := `SELECT contact_id, CASE WHEN verified THEN '` + identity.SourceVerifiedIdentity + `' ELSE '` + identity.SourceUnverifiedIdentity + `' END FROM identities
			WHERE value = $1 AND kind = $2 AND contact_id <> $3
		UNION ALL SELECT contact_id, '` + identity.SourceClaim + `' FROM identity_claims WHERE value = $1 AND kind = $2 AND contact_id <> $3
		UNION ALL SELECT id, '` + identity.SourceContactRecord + `' FROM contacts WHERE ` + column + ` = $1 AND id <> $3`
	rows, err := t.query(ctx, q, v.value, v.kind, self)
	if err != nil {
		return t.s.wrap(err, "finding contacts sharing an identifier")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var where string
		if err := rows.Scan(&id, &where); err != nil {
			return t.s.wrap(err, "scanning match")
		}
		// Two verified identities cannot share a value: the unique index
		// puts them on one contact. Anything found here has a weaker side.
		kind := string(v.kind)
		evidence[id] = append(evidence[id], identity.Evidence{Kind: kind, Value: v.value, Source: v.source, OtherSource: where,
			Detail: "this contact: " + identity.SourceText(kind, v.source) + "; other contact: " + identity.SourceText(kind, where)})
	}
	return t.s.wrap(rows.Err(), "finding contacts sharing an identifier")
}

// findSameNameCompany records contacts with the same name at the same company.
func (t *tx) findSameNameCompany(ctx context.Context, c *parley.Contact, evidence map[int64][]identity.Evidence) error {
	name, company := strings.TrimSpace(c.Name), strings.TrimSpace(c.Company)
	if name == "" || company == "" {
		return nil
	}
	ids, err := t.int64s(ctx, `SELECT id FROM contacts WHERE company <> '' AND lower(name) = lower($1) AND lower(company) = lower($2) AND id <> $3`,
		name, company, c.ID)
	if err != nil {
		return t.s.wrap(err, "finding contacts with the same name and company")
	}
	for _, id := range ids {
		evidence[id] = append(evidence[id], identity.Evidence{Kind: "name_company", Value: name + " / " + company,
			Detail: "same name at the same company"})
	}
	return nil
}

// suggestionsFrom loads the suggested contacts, most evidence first.
func (t *tx) suggestionsFrom(ctx context.Context, evidence map[int64][]identity.Evidence) ([]identity.Suggestion, error) {
	ids := make([]int64, 0, len(evidence))
	for id := range evidence {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if len(evidence[ids[i]]) != len(evidence[ids[j]]) {
			return len(evidence[ids[i]]) > len(evidence[ids[j]])
		}
		return ids[i] > ids[j]
	})
	ids = ids[:min(len(ids), maxSuggestions)]
	contacts, err := t.findContactsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := []identity.Suggestion{}
	var list []*parley.Contact
	for _, id := range ids {
		if c := contacts[id]; c != nil {
			list = append(list, c)
			out = append(out, identity.Suggestion{Contact: c, Evidence: evidence[id]})
		}
	}
	return out, t.fillIdentities(ctx, list)
}

// findClaims lists a contact's unverified identifiers.
func (t *tx) findClaims(ctx context.Context, contactID int64) ([]identity.Claim, error) {
	rows, err := t.query(ctx, `SELECT contact_id, kind, value, channel_id, created_at FROM identity_claims WHERE contact_id = $1 ORDER BY id`, contactID)
	if err != nil {
		return nil, t.s.wrap(err, "loading claims")
	}
	defer rows.Close()
	out := []identity.Claim{}
	for rows.Next() {
		var c identity.Claim
		if err := rows.Scan(&c.ContactID, &c.Kind, &c.Value, &c.ChannelID, timeCol{&c.CreatedAt}); err != nil {
			return nil, t.s.wrap(err, "scanning claim")
		}
		out = append(out, c)
	}
	return out, t.s.wrap(rows.Err(), "loading claims")
}
