package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/parleyhq/parley"
)

// FindLastInboundMessage returns the newest customer message of a ticket
// that came in on channelID: the one a mail reply answers (In-Reply-To).
// A ticket joined from several channels keeps each channel's thread apart.
func (s *Store) FindLastInboundMessage(ctx context.Context, conversationID, channelID int64) (*parley.Message, error) {
	var m *parley.Message
	err := s.read(ctx, func(t *tx) (err error) {
		m, err = scanMessage(t.queryRow(ctx, `SELECT `+messageColumns+` FROM messages
			WHERE conversation_id = $1 AND channel_id = $2 AND direction = 'in' ORDER BY id DESC LIMIT 1`, conversationID, channelID))
		if err != nil {
			return t.s.notFound(err, "inbound message of conversation", conversationID)
		}
		return nil
	})
	return m, err
}

// MailboxCheckpoint is how far an IMAP poller got in one mailbox: the
// mailbox's UIDVALIDITY and the highest UID handed to the inbound stream.
type MailboxCheckpoint struct {
	UIDValidity uint32
	LastUID     uint32
}

// FindMailboxCheckpoint returns a channel's saved progress in a mailbox;
// the zero checkpoint (start from the unseen mail) when there is none.
func (s *Store) FindMailboxCheckpoint(ctx context.Context, channelID int64, mailbox string) (MailboxCheckpoint, error) {
	var c MailboxCheckpoint
	var validity, last int64
	err := s.read(ctx, func(t *tx) error {
		return t.queryRow(ctx, `SELECT uid_validity, last_uid FROM mailbox_checkpoints WHERE channel_id = $1 AND mailbox = $2`,
			channelID, mailbox).Scan(&validity, &last)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, s.wrap(err, "loading the checkpoint of channel %d mailbox %q", channelID, mailbox)
	}
	return MailboxCheckpoint{UIDValidity: uint32(validity), LastUID: uint32(last)}, nil
}

// SaveMailboxCheckpoint records a channel's progress in a mailbox.
func (s *Store) SaveMailboxCheckpoint(ctx context.Context, channelID int64, mailbox string, c MailboxCheckpoint) error {
	return s.write(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO mailbox_checkpoints (channel_id, mailbox, uid_validity, last_uid, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (channel_id, mailbox) DO UPDATE SET uid_validity = excluded.uid_validity,
				last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
			channelID, mailbox, int64(c.UIDValidity), int64(c.LastUID), t.now)
		return t.s.wrap(err, "saving the checkpoint of channel %d mailbox %q", channelID, mailbox)
	})
}
