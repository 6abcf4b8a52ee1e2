package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// Names of the identity settings.
const (
	settingLookup      = "contact_lookup"
	settingFieldPolicy = "field_policy"
)

// ContactLookupConfig returns the lookup of the company's own systems, or
// a disabled one when none is set. The auth header value is unsealed.
func (s *Store) ContactLookupConfig(ctx context.Context) (identity.LookupConfig, error) {
	var cfg identity.LookupConfig
	err := s.read(ctx, func(t *tx) error {
		raw, sealed, err := t.setting(ctx, settingLookup)
		if err != nil || raw == "" {
			return err
		}
		if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
			return parley.WrapError(parley.EINTERNAL, err, "decoding lookup settings")
		}
		if len(sealed) > 0 {
			secrets, err := s.openSecrets(sealed)
			if err != nil {
				return err
			}
			cfg.HeaderValue = secrets["header_value"]
		}
		return nil
	})
	return cfg, err
}

// SetContactLookupConfig stores the lookup; the header value is sealed
// like channel secrets. An empty URL template disables the lookup. Cached
// answers are dropped, since they came from the old settings.
func (s *Store) SetContactLookupConfig(ctx context.Context, cfg identity.LookupConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	sealed, err := s.sealSecrets(map[string]string{"header_value": cfg.HeaderValue})
	if err != nil {
		return err
	}
	cfg.HeaderValue = ""
	return s.write(ctx, func(t *tx) error {
		if err := t.putSetting(ctx, settingLookup, mustJSON(cfg), sealed); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM contact_lookup_cache`)
		return t.s.wrap(err, "clearing lookup cache")
	})
}

// FieldPolicy returns which roles see contact details unmasked.
func (s *Store) FieldPolicy(ctx context.Context) (identity.FieldPolicy, error) {
	p := identity.DefaultFieldPolicy()
	err := s.read(ctx, func(t *tx) error {
		raw, _, err := t.setting(ctx, settingFieldPolicy)
		if err != nil || raw == "" {
			return err
		}
		return t.s.wrap(json.Unmarshal([]byte(raw), &p), "decoding field policy")
	})
	return p, err
}

// SetFieldPolicy stores which roles see contact details unmasked.
func (s *Store) SetFieldPolicy(ctx context.Context, p identity.FieldPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error { return t.putSetting(ctx, settingFieldPolicy, mustJSON(p), nil) })
}

func (t *tx) setting(ctx context.Context, name string) (string, []byte, error) {
	var raw string
	var sealed []byte
	err := t.queryRow(ctx, `SELECT value, sealed FROM identity_settings WHERE name = $1`, name).Scan(&raw, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil
	}
	return raw, sealed, t.s.wrap(err, "loading setting %s", name)
}

func (t *tx) putSetting(ctx context.Context, name, value string, sealed []byte) error {
	_, err := t.exec(ctx, `INSERT INTO identity_settings (name, value, sealed, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, sealed = excluded.sealed, updated_at = excluded.updated_at`,
		name, value, sealed, t.now)
	return t.s.wrap(err, "storing setting %s", name)
}

// CachedLookup returns the stored answer of the company's systems about a
// contact if it is younger than ttl. The cache lives in the database so
// every node shares it, and erasing a contact erases it.
func (s *Store) CachedLookup(ctx context.Context, contactID int64, ttl time.Duration) (*identity.LookupResult, error) {
	var res *identity.LookupResult
	err := s.read(ctx, func(t *tx) error {
		var body string
		var at time.Time
		err := t.queryRow(ctx, `SELECT body, fetched_at FROM contact_lookup_cache WHERE contact_id = $1`, contactID).Scan(&body, timeCol{&at})
		if errors.Is(err, sql.ErrNoRows) || (err == nil && t.now.Sub(at) >= ttl) {
			return nil
		}
		if err != nil {
			return t.s.wrap(err, "loading cached lookup")
		}
		res = &identity.LookupResult{Status: identity.LookupOK, Data: json.RawMessage(body), Cached: true, FetchedAt: at}
		return nil
	})
	return res, err
}

// SaveLookup caches a successful answer; failures are not cached, so the
// next view tries again.
func (s *Store) SaveLookup(ctx context.Context, contactID int64, res identity.LookupResult) error {
	if res.Status != identity.LookupOK {
		return nil
	}
	return s.write(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO contact_lookup_cache (contact_id, body, fetched_at) SELECT id, $2, $3 FROM contacts WHERE id = $1
			ON CONFLICT (contact_id) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at`, contactID, string(res.Data), t.now)
		return t.s.wrap(err, "caching lookup")
	})
}
