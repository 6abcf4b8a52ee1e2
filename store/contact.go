package store

import (
	"context"
	"math"
	"strings"

	"github.com/parleyhq/parley"
)

const contactColumns = `id, name, email, phone, company, tier, language, avatar_url, attributes, created_at, updated_at`

func scanContact(r rowScanner) (*parley.Contact, error) {
	c := &parley.Contact{}
	err := r.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.Company, &c.Tier, &c.Language, &c.AvatarURL,
		jsonCol{&c.Attributes}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	return c, err
}

func contactTerms(c *parley.Contact) []string {
	return searchTerms(c.Name, c.Email, c.Phone, c.Company)
}

// FindContactByID returns a contact with its identities.
func (s *Store) FindContactByID(ctx context.Context, id int64) (*parley.Contact, error) {
	var c *parley.Contact
	err := s.read(ctx, func(t *tx) (err error) {
		c, err = t.findContact(ctx, id)
		return err
	})
	return c, err
}

func (t *tx) findContact(ctx context.Context, id int64) (*parley.Contact, error) {
	c, err := scanContact(t.queryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = $1`, id))
	if err != nil {
		return nil, t.s.notFound(err, "contact", id)
	}
	if err := t.fillIdentities(ctx, []*parley.Contact{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// findContactsByID loads contacts (without identities) for listings.
func (t *tx) findContactsByID(ctx context.Context, ids []int64) (map[int64]*parley.Contact, error) {
	out := make(map[int64]*parley.Contact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var args argList
	rows, err := t.query(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id IN `+in(&args, ids), args...)
	if err != nil {
		return nil, t.s.wrap(err, "loading contacts")
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, t.s.wrap(err, "scanning contact")
		}
		out[c.ID] = c
	}
	return out, t.s.wrap(rows.Err(), "loading contacts")
}

const identityColumns = `id, contact_id, kind, scope_channel_id, value, verified, created_at`

func scanIdentity(r rowScanner) (*parley.Identity, error) {
	id := &parley.Identity{}
	err := r.Scan(&id.ID, &id.ContactID, &id.Kind, &id.ScopeChannelID, &id.Value, &id.Verified, timeCol{&id.CreatedAt})
	return id, err
}

func (t *tx) fillIdentities(ctx context.Context, contacts []*parley.Contact) error {
	if len(contacts) == 0 {
		return nil
	}
	byID := make(map[int64]*parley.Contact, len(contacts))
	ids := make([]int64, len(contacts))
	for i, c := range contacts {
		byID[c.ID], ids[i] = c, c.ID
	}
	var args argList
	rows, err := t.query(ctx, `SELECT `+identityColumns+` FROM identities WHERE contact_id IN `+in(&args, ids)+` ORDER BY id`, args...)
	if err != nil {
		return t.s.wrap(err, "loading identities")
	}
	defer rows.Close()
	for rows.Next() {
		ident, err := scanIdentity(rows)
		if err != nil {
			return t.s.wrap(err, "scanning identity")
		}
		c := byID[ident.ContactID]
		c.Identities = append(c.Identities, ident)
	}
	return t.s.wrap(rows.Err(), "loading identities")
}

type contactCursor struct {
	ID int64 `json:"id"`
}

// FindContacts lists contacts, newest first. Query matches words (by
// prefix) and CJK text inside names, e-mail addresses, phones and companies.
func (s *Store) FindContacts(ctx context.Context, f parley.ContactFilter) ([]*parley.Contact, string, error) {
	f.Page = f.Page.Normalize()
	var query string
	if f.Query != nil {
		if terms := parseQuery(*f.Query); len(terms) > 0 {
			query = s.d.searchQuery(terms)
		}
	}
	contacts := []*parley.Contact{}
	more := false
	err := s.read(ctx, func(t *tx) error {
		var args argList
		from, where := `contacts c`, []string{}
		if query != "" {
			var cond string
			if s.d.searchNeedsPlan() {
				// Pages go newest first: probe like Search does (search_plan.go).
				scope, err := t.probeSearch(ctx, "contact_search", query, math.MaxInt64)
				if err != nil {
					return err
				}
				var ok bool
				if cond, ok = scope.condition(t, query, &args); !ok {
					return nil
				}
			} else {
				cond = s.d.searchMatch("s", args.add(query))
			}
			from += ` JOIN contact_search s ON s.rowid = c.id`
			where = append(where, cond)
		}
		if f.Tier != nil {
			where = append(where, "c.tier = "+args.add(*f.Tier))
		}
		if f.Cursor != "" {
			var cur contactCursor
			if err := decodeCursor(f.Cursor, &cur); err != nil {
				return err
			}
			where = append(where, "c.id < "+args.add(cur.ID))
		}
		q := `SELECT ` + prefixColumns("c", contactColumns) + ` FROM ` + from
		if len(where) > 0 {
			q += ` WHERE ` + strings.Join(where, " AND ")
		}
		q += ` ORDER BY c.id DESC LIMIT ` + args.add(f.Limit+1)
		rows, err := t.query(ctx, q, args...)
		if err != nil {
			return s.wrap(err, "listing contacts")
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanContact(rows)
			if err != nil {
				return s.wrap(err, "scanning contact")
			}
			contacts = append(contacts, c)
		}
		if err := rows.Err(); err != nil {
			return s.wrap(err, "listing contacts")
		}
		rows.Close()
		if more = len(contacts) > f.Limit; more {
			contacts = contacts[:f.Limit]
		}
		return t.fillIdentities(ctx, contacts)
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		next = encodeCursor(contactCursor{ID: contacts[len(contacts)-1].ID})
	}
	return contacts, next, nil
}

// prefixColumns qualifies a column list with a table alias.
func prefixColumns(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// CreateContact stores a contact and any identities it carries.
func (s *Store) CreateContact(ctx context.Context, c *parley.Contact) error {
	c.Email = foldEmail(c.Email)
	return s.write(ctx, func(t *tx) error {
		c.CreatedAt, c.UpdatedAt = t.now, t.now
		err := t.queryRow(ctx, `INSERT INTO contacts (name, email, phone, company, tier, language, avatar_url, attributes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			c.Name, c.Email, c.Phone, c.Company, c.Tier, c.Language, c.AvatarURL, jsonText(c.Attributes), t.now, t.now).Scan(&c.ID)
		if err != nil {
			return s.wrap(err, "creating contact")
		}
		for _, ident := range c.Identities {
			if err := t.addIdentity(ctx, c.ID, ident); err != nil {
				return err
			}
		}
		return t.indexSearch(ctx, "contact_search", []searchDoc{{c.ID, contactTerms(c)}}, false)
	})
}

// UpdateContact changes the fields set in upd; attributes are merged key
// by key.
func (s *Store) UpdateContact(ctx context.Context, id int64, upd parley.ContactUpdate) (*parley.Contact, error) {
	var c *parley.Contact
	err := s.write(ctx, func(t *tx) error {
		var err error
		if c, err = t.findContact(ctx, id); err != nil {
			return err
		}
		applyContactUpdate(c, upd)
		c.UpdatedAt = t.now
		_, err = t.exec(ctx, `UPDATE contacts SET name = $1, email = $2, phone = $3, company = $4, tier = $5, language = $6,
			attributes = $7, updated_at = $8 WHERE id = $9`,
			c.Name, c.Email, c.Phone, c.Company, c.Tier, c.Language, jsonText(c.Attributes), t.now, id)
		if err != nil {
			return s.wrap(err, "updating contact %d", id)
		}
		return t.indexSearch(ctx, "contact_search", []searchDoc{{c.ID, contactTerms(c)}}, true)
	})
	return c, err
}

func applyContactUpdate(c *parley.Contact, upd parley.ContactUpdate) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Name, upd.Name)
	set(&c.Email, upd.Email)
	c.Email = foldEmail(c.Email)
	set(&c.Phone, upd.Phone)
	set(&c.Company, upd.Company)
	set(&c.Tier, upd.Tier)
	set(&c.Language, upd.Language)
	c.Attributes = parley.MergeStrings(c.Attributes, upd.Attributes)
}

// AddIdentity links an identity to a contact. An identity that already
// belongs to another contact is ECONFLICT (merging is a separate,
// recorded step); adding one the contact already has is a no-op.
func (s *Store) AddIdentity(ctx context.Context, contactID int64, ident *parley.Identity) error {
	return s.write(ctx, func(t *tx) error {
		if _, err := t.findContact(ctx, contactID); err != nil {
			return err
		}
		return t.addIdentity(ctx, contactID, ident)
	})
}

func (t *tx) addIdentity(ctx context.Context, contactID int64, ident *parley.Identity) error {
	if err := normalizeIdentity(ident); err != nil {
		return err
	}
	ident.ContactID, ident.CreatedAt = contactID, t.now
	err := t.queryRow(ctx, `INSERT INTO identities (contact_id, kind, scope_channel_id, value, verified, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
		contactID, ident.Kind, ident.ScopeChannelID, ident.Value, ident.Verified, t.now).Scan(&ident.ID)
	if err == nil {
		return nil
	}
	existing, ferr := scanIdentity(t.queryRow(ctx, `SELECT `+identityColumns+` FROM identities WHERE value = $1 AND kind = $2 AND scope_channel_id = $3`,
		ident.Value, ident.Kind, ident.ScopeChannelID))
	if ferr != nil {
		return t.s.wrap(err, "adding identity")
	}
	if existing.ContactID != contactID {
		return &parley.Error{Code: parley.ECONFLICT, Message: "identity belongs to another contact", Details: existing}
	}
	*ident = *existing
	return nil
}

// identityKey is an identity's unique key: (kind, scope, normalised value).
type identityKey struct {
	kind  parley.IdentityKind
	scope int64
	value string
}

// normalizeIdentity case-folds e-mail addresses, strips phone formatting
// and clears the scope of global kinds, so that matching is exact.
func normalizeIdentity(id *parley.Identity) error {
	id.Value = normalizeIdentityValue(id.Kind, id.Value)
	if id.Kind.Global() {
		id.ScopeChannelID = 0
	} else if id.ScopeChannelID == 0 {
		return parley.Errorf(parley.EINVALID, "identity of kind %q needs a channel scope", id.Kind)
	}
	if id.Kind == "" || id.Value == "" {
		return parley.Errorf(parley.EINVALID, "identity needs a kind and a value")
	}
	return nil
}

func normalizeIdentityValue(kind parley.IdentityKind, v string) string {
	v = strings.TrimSpace(v)
	switch kind {
	case parley.IdentityEmail:
		return strings.ToLower(v)
	case parley.IdentityPhone:
		var b strings.Builder
		for i, r := range v {
			if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	return v
}
