package store

import (
	"context"

	"github.com/parleyhq/parley"
)

// AddMessageMetadata adds the keys of kv a message lacks (context fetched
// after ingestion); what the webhook or an agent set is never overwritten.
func (s *Store) AddMessageMetadata(ctx context.Context, messageID int64, kv map[string]string) (*parley.Message, error) {
	var m *parley.Message
	err := s.write(ctx, func(t *tx) error {
		var err error
		if m, err = t.findMessage(ctx, messageID); err != nil {
			return err
		}
		changed := false
		for k, v := range kv {
			if _, ok := m.Metadata[k]; ok || v == "" {
				continue
			}
			if m.Metadata == nil {
				m.Metadata = map[string]string{}
			}
			m.Metadata[k], changed = v, true
		}
		if !changed {
			return nil
		}
		if _, err := t.exec(ctx, `UPDATE messages SET metadata = $1, updated_at = $2 WHERE id = $3`, jsonText(m.Metadata), t.now, messageID); err != nil {
			return t.s.wrap(err, "adding metadata to message %d", messageID)
		}
		m, err = t.findMessage(ctx, messageID)
		return err
	})
	return m, err
}
