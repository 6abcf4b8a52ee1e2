package store

import (
	"context"
	"encoding/json"

	"github.com/parleyhq/parley"
)

const channelColumns = `id, platform, name, status, status_reason, config, secrets, created_at, updated_at`

func (s *Store) scanChannel(r rowScanner) (*parley.Channel, error) {
	ch := &parley.Channel{}
	var sealed []byte
	err := r.Scan(&ch.ID, &ch.Platform, &ch.Name, &ch.Status, &ch.StatusReason, jsonCol{&ch.Config}, &sealed,
		timeCol{&ch.CreatedAt}, timeCol{&ch.UpdatedAt})
	if err != nil {
		return nil, err
	}
	if ch.Secrets, err = s.openSecrets(sealed); err != nil {
		return nil, err
	}
	ch.StatusCode = parley.ChannelStatusCode(ch.Status, ch.StatusReason)
	return ch, nil
}

// sealSecrets encrypts a channel's secrets for storage; no secrets, no bytes.
func (s *Store) sealSecrets(secrets map[string]string) ([]byte, error) {
	if len(secrets) == 0 {
		return nil, nil
	}
	plain, err := json.Marshal(secrets)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "encoding secrets")
	}
	return s.box.Seal(plain)
}

func (s *Store) openSecrets(sealed []byte) (map[string]string, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	plain, err := s.box.Open(sealed)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "channel secrets cannot be opened (wrong secret key?)")
	}
	var secrets map[string]string
	if err := json.Unmarshal(plain, &secrets); err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "decoding channel secrets")
	}
	return secrets, nil
}

// FindChannelByID returns a channel with its secrets opened.
func (s *Store) FindChannelByID(ctx context.Context, id int64) (*parley.Channel, error) {
	var ch *parley.Channel
	err := s.read(ctx, func(t *tx) (err error) {
		ch, err = t.findChannel(ctx, id)
		return err
	})
	return ch, err
}

func (t *tx) findChannel(ctx context.Context, id int64) (*parley.Channel, error) {
	ch, err := t.s.scanChannel(t.queryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE id = $1`, id))
	if err != nil {
		return nil, t.s.notFound(err, "channel", id)
	}
	return ch, nil
}

// FindChannels lists every channel.
func (s *Store) FindChannels(ctx context.Context) ([]*parley.Channel, error) {
	channels := []*parley.Channel{}
	err := s.read(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT `+channelColumns+` FROM channels ORDER BY id`)
		if err != nil {
			return s.wrap(err, "listing channels")
		}
		defer rows.Close()
		for rows.Next() {
			ch, err := s.scanChannel(rows)
			if err != nil {
				return s.wrap(err, "scanning channel")
			}
			channels = append(channels, ch)
		}
		return s.wrap(rows.Err(), "listing channels")
	})
	return channels, err
}

// CreateChannel stores a channel, sealing its secrets.
func (s *Store) CreateChannel(ctx context.Context, ch *parley.Channel) error {
	if !ch.Platform.Valid() {
		return parley.Errorf(parley.EINVALID, "unknown platform %q", ch.Platform)
	}
	if ch.Status == "" {
		ch.Status = parley.ChannelActive
	}
	sealed, err := s.sealSecrets(ch.Secrets)
	if err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		ch.CreatedAt, ch.UpdatedAt = t.now, t.now
		err := t.queryRow(ctx, `INSERT INTO channels (platform, name, status, status_reason, config, secrets, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			ch.Platform, ch.Name, ch.Status, ch.StatusReason, jsonText(ch.Config), sealed, t.now, t.now).Scan(&ch.ID)
		return s.wrap(err, "creating channel")
	})
}

// UpdateChannel changes a channel; config and secrets are merged key by
// key, a nil value deleting the key.
func (s *Store) UpdateChannel(ctx context.Context, id int64, upd parley.ChannelUpdate) (*parley.Channel, error) {
	var ch *parley.Channel
	err := s.write(ctx, func(t *tx) error {
		var err error
		if ch, err = t.findChannel(ctx, id); err != nil {
			return err
		}
		upd.Apply(ch)
		sealed, err := s.sealSecrets(ch.Secrets)
		if err != nil {
			return err
		}
		ch.UpdatedAt = t.now
		_, err = t.exec(ctx, `UPDATE channels SET name = $1, status = $2, status_reason = $3, config = $4, secrets = $5, updated_at = $6 WHERE id = $7`,
			ch.Name, ch.Status, ch.StatusReason, jsonText(ch.Config), sealed, t.now, id)
		return s.wrap(err, "updating channel %d", id)
	})
	return ch, err
}

// DeleteChannel removes a channel that has no tickets; a channel with
// history should be disabled instead, so that nothing is lost.
func (s *Store) DeleteChannel(ctx context.Context, id int64) error {
	return s.write(ctx, func(t *tx) error {
		var used int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM conversations WHERE channel_id = $1 LIMIT 1) x`, id).Scan(&used); err != nil {
			return s.wrap(err, "checking channel %d", id)
		}
		if used > 0 {
			return parley.Errorf(parley.ECONFLICT, "channel %d has conversations; disable it instead", id)
		}
		if _, err := t.exec(ctx, `DELETE FROM identities WHERE scope_channel_id = $1`, id); err != nil {
			return s.wrap(err, "deleting identities of channel %d", id)
		}
		n, err := t.exec(ctx, `DELETE FROM channels WHERE id = $1`, id)
		if err != nil {
			return s.wrap(err, "deleting channel %d", id)
		} else if n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "channel %d not found", id)
		}
		return nil
	})
}
