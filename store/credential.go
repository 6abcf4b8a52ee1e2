package store

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
)

// CreateSession stores a signed-in browser session.
func (s *Store) CreateSession(ctx context.Context, sess *parley.Session) error {
	return s.write(ctx, func(t *tx) error {
		if sess.CreatedAt.IsZero() {
			sess.CreatedAt = t.now
		}
		_, err := t.exec(ctx, `INSERT INTO sessions (token_hash, agent_id, expires_at, created_at) VALUES ($1, $2, $3, $4)`,
			sess.TokenHash, sess.AgentID, sess.ExpiresAt, sess.CreatedAt)
		return s.wrap(err, "creating session")
	})
}

// FindSession returns the session with that token hash if it has not
// expired; an expired session is ENOTFOUND.
func (s *Store) FindSession(ctx context.Context, tokenHash []byte) (*parley.Session, error) {
	sess := &parley.Session{}
	err := s.read(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `SELECT token_hash, agent_id, expires_at, created_at FROM sessions WHERE token_hash = $1 AND expires_at > $2`,
			tokenHash, t.now).Scan(&sess.TokenHash, &sess.AgentID, timeCol{&sess.ExpiresAt}, timeCol{&sess.CreatedAt})
		return s.notFound(err, "session", "")
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// DeleteSession signs a browser out; deleting a missing session is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	return s.write(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
		return s.wrap(err, "deleting session")
	})
}

// CreateAPIToken stores an API token's hash and sets its ID.
func (s *Store) CreateAPIToken(ctx context.Context, tok *parley.APIToken) error {
	return s.write(ctx, func(t *tx) error {
		tok.CreatedAt = t.now
		err := t.queryRow(ctx, `INSERT INTO api_tokens (agent_id, name, prefix, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			tok.AgentID, tok.Name, tok.Prefix, tok.TokenHash, t.now).Scan(&tok.ID)
		return s.wrap(err, "creating API token")
	})
}

const apiTokenColumns = `id, agent_id, name, prefix, token_hash, created_at, last_used_at`

func scanAPIToken(r rowScanner) (*parley.APIToken, error) {
	tok := &parley.APIToken{}
	err := r.Scan(&tok.ID, &tok.AgentID, &tok.Name, &tok.Prefix, &tok.TokenHash, timeCol{&tok.CreatedAt}, nullTimeCol{&tok.LastUsedAt})
	return tok, err
}

// apiTokenTouchEvery bounds how often a token's last use is written: a
// script calling the API many times a second would otherwise take the
// database's writer (SQLite has one) on every request.
const apiTokenTouchEvery = time.Minute

// FindAPITokenByHash returns the token with that hash and records that it
// was used, at most once per apiTokenTouchEvery.
func (s *Store) FindAPITokenByHash(ctx context.Context, tokenHash []byte) (*parley.APIToken, error) {
	var tok *parley.APIToken
	err := s.read(ctx, func(t *tx) error {
		var err error
		tok, err = scanAPIToken(t.queryRow(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE token_hash = $1`, tokenHash))
		return s.notFound(err, "API token", "")
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	if tok.LastUsedAt != nil && now.Sub(*tok.LastUsedAt) < apiTokenTouchEvery {
		return tok, nil
	}
	err = s.write(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, tok.ID)
		return s.wrap(err, "recording use of API token %d", tok.ID)
	})
	if err != nil {
		return nil, err
	}
	tok.LastUsedAt = &now
	return tok, nil
}

// FindAPITokens lists an agent's tokens, newest first.
func (s *Store) FindAPITokens(ctx context.Context, agentID int64) ([]*parley.APIToken, error) {
	tokens := []*parley.APIToken{}
	err := s.read(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE agent_id = $1 ORDER BY id DESC`, agentID)
		if err != nil {
			return s.wrap(err, "listing API tokens")
		}
		defer rows.Close()
		for rows.Next() {
			tok, err := scanAPIToken(rows)
			if err != nil {
				return s.wrap(err, "scanning API token")
			}
			tokens = append(tokens, tok)
		}
		return s.wrap(rows.Err(), "listing API tokens")
	})
	return tokens, err
}

// DeleteAPIToken revokes one of an agent's tokens.
func (s *Store) DeleteAPIToken(ctx context.Context, agentID, id int64) error {
	return s.write(ctx, func(t *tx) error {
		n, err := t.exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND agent_id = $2`, id, agentID)
		if err != nil {
			return s.wrap(err, "deleting API token %d", id)
		} else if n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "API token %d not found", id)
		}
		return nil
	})
}
