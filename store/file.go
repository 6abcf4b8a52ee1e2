package store

import (
	"context"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

const fileColumns = `storage_key, filename, content_type, size, sha256, agent_id, contact_id, conversation_id, message_id, created_at`

func scanFile(r rowScanner) (*parley.File, error) {
	f := &parley.File{}
	err := r.Scan(&f.Key, &f.Filename, &f.ContentType, &f.Size, &f.SHA256, nullIDCol{&f.AgentID}, nullIDCol{&f.ContactID},
		nullIDCol{&f.ConversationID}, nullIDCol{&f.MessageID}, timeCol{&f.CreatedAt})
	return f, err
}

// CreateFile records a stored file; CreatedAt is set from the store's clock.
func (s *Store) CreateFile(ctx context.Context, f *parley.File) error {
	if f.Key == "" || f.ContentType == "" {
		return parley.Errorf(parley.EINVALID, "a file needs a key and a content type")
	}
	return s.write(ctx, func(t *tx) error {
		f.CreatedAt = t.now
		_, err := t.exec(ctx, `INSERT INTO files (`+fileColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			f.Key, f.Filename, f.ContentType, f.Size, f.SHA256, nullID(f.AgentID), nullID(f.ContactID),
			nullID(f.ConversationID), nullID(f.MessageID), f.CreatedAt)
		return t.s.wrap(err, "recording file")
	})
}

// FindFileByKey returns a file's record.
func (s *Store) FindFileByKey(ctx context.Context, key string) (*parley.File, error) {
	var f *parley.File
	err := s.read(ctx, func(t *tx) (err error) {
		f, err = t.findFile(ctx, key)
		return err
	})
	return f, err
}

func (t *tx) findFile(ctx context.Context, key string) (*parley.File, error) {
	f, err := scanFile(t.queryRow(ctx, `SELECT `+fileColumns+` FROM files WHERE storage_key = $1`, key))
	if err != nil {
		return nil, t.s.notFound(err, "file", "")
	}
	return f, nil
}

// DeleteFile forgets a file's record (the bytes are the FileStore's).
func (s *Store) DeleteFile(ctx context.Context, key string) error {
	return s.write(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `DELETE FROM files WHERE storage_key = $1`, key)
		return t.s.wrap(err, "deleting file")
	})
}

// BindFiles binds files stored before their message existed (inbound mail
// attachments) to m. Agents' uploads are never taken: they are bound only
// by the reply that carries them (CreateMessage).
func (s *Store) BindFiles(ctx context.Context, keys []string, m *parley.Message) error {
	if len(keys) == 0 {
		return nil
	}
	return s.write(ctx, func(t *tx) error {
		var args argList
		q := `UPDATE files SET message_id = ` + args.add(m.ID) + `, conversation_id = ` + args.add(m.ConversationID) +
			`, contact_id = ` + args.add(nullID(m.ContactID)) + ` WHERE message_id IS NULL AND agent_id IS NULL AND storage_key IN ` + in(&args, keys)
		_, err := t.exec(ctx, q, args...)
		return t.s.wrap(err, "binding files to message %d", m.ID)
	})
}

// bindReplyFiles binds the stored files a reply or note carries to it, in
// the transaction that stores it. A file already carried by a message of
// another ticket is a conflict: its readers are that ticket's agents.
// Keys without a record are left alone (the HTTP layer vouches for keys).
func (t *tx) bindReplyFiles(ctx context.Context, m *parley.Message) error {
	for _, a := range m.Attachments {
		if a.StorageKey == "" {
			continue
		}
		n, err := t.exec(ctx, `UPDATE files SET message_id = $1, conversation_id = $2, contact_id = $3
			WHERE storage_key = $4 AND message_id IS NULL`, m.ID, m.ConversationID, nullID(m.ContactID), a.StorageKey)
		if err != nil {
			return t.s.wrap(err, "binding file to message")
		} else if n == 1 {
			continue
		}
		f, err := t.findFile(ctx, a.StorageKey)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if f.ConversationID == nil || *f.ConversationID != m.ConversationID {
			return parley.Errorf(parley.ECONFLICT, "file %s belongs to another conversation", a.Filename)
		}
	}
	return nil
}

// UpdateMessageAttachments replaces a message's attachments, e.g. once
// the media worker copied them into the store.
func (s *Store) UpdateMessageAttachments(ctx context.Context, messageID int64, atts []parley.Attachment) (*parley.Message, error) {
	var m *parley.Message
	err := s.write(ctx, func(t *tx) error {
		n, err := t.exec(ctx, `UPDATE messages SET attachments = $1, updated_at = $2 WHERE id = $3`, jsonText(atts), t.now, messageID)
		if err != nil {
			return t.s.wrap(err, "updating attachments of message %d", messageID)
		} else if n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "message %d not found", messageID)
		}
		m, err = t.findMessage(ctx, messageID)
		return err
	})
	return m, err
}

// eraseFiles deletes the records of every file of the contact, its tickets
// and their messages, and returns their keys for the FileStore.
func (t *tx) eraseFiles(ctx context.Context, contactID int64, convIDs, msgIDs []int64) ([]string, error) {
	var keys []string
	collect := func(col string, ids []int64) error {
		return inBatches(ids, func(batch []int64) error {
			var args argList
			set := in(&args, batch)
			rows, err := t.query(ctx, `SELECT storage_key FROM files WHERE `+col+` IN `+set, args...)
			if err != nil {
				return t.s.wrap(err, "finding files")
			}
			defer rows.Close()
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					return t.s.wrap(err, "finding files")
				}
				keys = append(keys, k)
			}
			if err := rows.Err(); err != nil {
				return t.s.wrap(err, "finding files")
			}
			_, err = t.exec(ctx, `DELETE FROM files WHERE `+col+` IN `+set, args...)
			return t.s.wrap(err, "deleting file records")
		})
	}
	for _, c := range []struct {
		col string
		ids []int64
	}{{"contact_id", []int64{contactID}}, {"conversation_id", convIDs}, {"message_id", msgIDs}} {
		if err := collect(c.col, c.ids); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

var _ parley.FileService = (*Store)(nil)

// DeleteUnboundFiles forgets up to limit files created before before that
// no message or ticket carries: uploads never sent (an agent's, or a
// widget visitor's, which is bound to the visitor's contact from the
// start), mail attachments whose message was never stored. It returns
// their keys for the FileStore.
func (s *Store) DeleteUnboundFiles(ctx context.Context, before time.Time, limit int) ([]string, error) {
	var keys []string
	err := s.write(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `DELETE FROM files WHERE storage_key IN (SELECT storage_key FROM files
			WHERE message_id IS NULL AND conversation_id IS NULL AND created_at < $1 LIMIT $2)
			RETURNING storage_key`, before, limit)
		if err != nil {
			return t.s.wrap(err, "deleting unbound files")
		}
		defer rows.Close()
		keys = keys[:0]
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return t.s.wrap(err, "deleting unbound files")
			}
			keys = append(keys, k)
		}
		return t.s.wrap(rows.Err(), "deleting unbound files")
	})
	return keys, err
}

// FindMessagesWithAttachmentURL lists the messages of platform p whose
// attachments mention fragment, oldest first. It is a full scan, made once:
// the widget's uploads from before the file store are found by their
// address when they are moved into it.
func (s *Store) FindMessagesWithAttachmentURL(ctx context.Context, p parley.Platform, fragment string) ([]*parley.Message, error) {
	if fragment == "" || strings.ContainsAny(fragment, `%_\`) {
		return nil, parley.Errorf(parley.EINVALID, "the address fragment must be plain text")
	}
	var out []*parley.Message
	err := s.read(ctx, func(t *tx) (err error) {
		out, err = t.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages WHERE platform = $1 AND attachments LIKE $2 ORDER BY id`,
			p, "%"+fragment+"%")
		return err
	})
	return out, err
}
