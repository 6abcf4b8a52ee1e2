package store

import (
	"context"

	"github.com/parleyhq/parley/identity"
)

// EraseContact removes everything that identifies a contact (right to
// erasure) while keeping the aggregates reports count on:
//   - the contact row stays, renamed identity.ErasedName, with every other
//     field emptied; its identities, claims, consent, cached lookup and the
//     merges it took part in (whose snapshots hold its data) are deleted;
//   - its tickets stay (counts, statuses, times, tags, assignees) with
//     subject, preview, attributes and thread key emptied; active ones are
//     closed;
//   - their messages stay as rows (counts, directions, statuses, times)
//     with body, attachments, metadata, platform ids and failure reasons
//     emptied;
//   - the search index entries of the contact, its tickets and messages
//     are deleted.
//
// The storage keys of attachments, and of every file recorded for the
// contact, its tickets or messages (whose records are deleted), are
// returned for the file store to delete. The request is recorded without personal data.
func (s *Store) EraseContact(ctx context.Context, contactID, agentID int64) (*identity.ErasureReport, error) {
	var rep *identity.ErasureReport
	err := s.write(ctx, func(t *tx) (err error) {
		rep, err = t.eraseContact(ctx, contactID)
		if err != nil {
			return err
		}
		return t.recordPrivacyRequest(ctx, "erase", contactID, agentID, map[string]int{
			"conversations": rep.Conversations, "messages": rep.Messages, "identities": rep.Identities})
	})
	if err == nil && s.d.name() == "sqlite" {
		err = s.purgeSearchSegments(ctx)
	}
	return rep, err
}

func (t *tx) eraseContact(ctx context.Context, contactID int64) (*identity.ErasureReport, error) {
	c, err := t.findContact(ctx, contactID)
	if err != nil {
		return nil, err
	}
	rep := &identity.ErasureReport{ContactID: contactID, Identities: len(c.Identities), AttachmentKeys: []string{}, ErasedAt: t.now}
	convIDs, err := t.int64s(ctx, `SELECT id FROM conversations WHERE contact_id = $1 ORDER BY id`, contactID)
	if err != nil {
		return nil, t.s.wrap(err, "finding the contact's tickets")
	}
	rep.Conversations = len(convIDs)
	msgIDs, err := t.erasableMessages(ctx, contactID, convIDs)
	if err != nil {
		return nil, err
	}
	rep.Messages = len(msgIDs)
	if rep.AttachmentKeys, err = t.attachmentKeys(ctx, msgIDs); err != nil {
		return nil, err
	}
	files, err := t.eraseFiles(ctx, contactID, convIDs, msgIDs)
	if err != nil {
		return nil, err
	}
	rep.AttachmentKeys = mergeKeys(rep.AttachmentKeys, files)
	if err := t.eraseMessages(ctx, msgIDs); err != nil {
		return nil, err
	}
	if err := t.eraseConversations(ctx, convIDs); err != nil {
		return nil, err
	}
	return rep, t.eraseContactRows(ctx, contactID)
}

// erasableMessages are the messages of the contact's tickets and any
// other message naming the contact.
func (t *tx) erasableMessages(ctx context.Context, contactID int64, convIDs []int64) ([]int64, error) {
	ids, err := t.int64s(ctx, `SELECT id FROM messages WHERE contact_id = $1`, contactID)
	if err != nil {
		return nil, t.s.wrap(err, "finding the contact's messages")
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for rest := convIDs; len(rest) > 0; {
		n := min(len(rest), 500)
		var args argList
		more, err := t.int64s(ctx, `SELECT id FROM messages WHERE conversation_id IN `+in(&args, rest[:n]), args...)
		if err != nil {
			return nil, t.s.wrap(err, "finding the tickets' messages")
		}
		for _, id := range more {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		rest = rest[n:]
	}
	return ids, nil
}

func (t *tx) attachmentKeys(ctx context.Context, msgIDs []int64) ([]string, error) {
	keys := []string{}
	err := inBatches(msgIDs, func(batch []int64) error {
		var args argList
		msgs, err := t.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages WHERE attachments <> '' AND id IN `+in(&args, batch), args...)
		if err != nil {
			return t.s.wrap(err, "loading attachments")
		}
		for _, m := range msgs {
			for _, a := range m.Attachments {
				if a.StorageKey != "" {
					keys = append(keys, a.StorageKey)
				}
			}
		}
		return nil
	})
	return keys, err
}

func (t *tx) eraseMessages(ctx context.Context, msgIDs []int64) error {
	return inBatches(msgIDs, func(batch []int64) error {
		var args argList
		set := in(&args, batch)
		if _, err := t.exec(ctx, `DELETE FROM message_search WHERE rowid IN `+set, args...); err != nil {
			return t.s.wrap(err, "unindexing messages")
		}
		_, err := t.exec(ctx, `UPDATE messages SET body = '', attachments = '', metadata = '', external_id = '', reply_to = '',
			failure_reason = '' WHERE id IN `+set, args...)
		return t.s.wrap(err, "anonymising messages")
	})
}

func (t *tx) eraseConversations(ctx context.Context, convIDs []int64) error {
	return inBatches(convIDs, func(batch []int64) error {
		var args argList
		set := in(&args, batch)
		if _, err := t.exec(ctx, `DELETE FROM conversation_search WHERE rowid IN `+set, args...); err != nil {
			return t.s.wrap(err, "unindexing tickets")
		}
		_, err := t.exec(ctx, `UPDATE conversations SET subject = '', last_preview = '', attributes = '{}',
			thread_key = 'erased-' || CAST(id AS TEXT), status = CASE WHEN status = 'closed' THEN status ELSE 'closed' END
			WHERE id IN `+set, args...)
		return t.s.wrap(err, "anonymising tickets")
	})
}

func (t *tx) eraseContactRows(ctx context.Context, contactID int64) error {
	for _, q := range []string{
		`DELETE FROM identities WHERE contact_id = $1`,
		`DELETE FROM identity_claims WHERE contact_id = $1`,
		`DELETE FROM contact_consents WHERE contact_id = $1`,
		`DELETE FROM contact_lookup_cache WHERE contact_id = $1`,
		`DELETE FROM contact_merges WHERE survivor_id = $1 OR source_id = $1`,
		`DELETE FROM contact_suggestion_dismissals WHERE contact_low = $1 OR contact_high = $1`,
		`DELETE FROM contact_search WHERE rowid = $1`,
	} {
		if _, err := t.exec(ctx, q, contactID); err != nil {
			return t.s.wrap(err, "erasing contact %d", contactID)
		}
	}
	_, err := t.exec(ctx, `UPDATE contacts SET name = $1, email = '', phone = '', company = '', tier = '', language = '',
		avatar_url = '', attributes = '{}', updated_at = $2 WHERE id = $3`, identity.ErasedName, t.now, contactID)
	return t.s.wrap(err, "anonymising contact %d", contactID)
}

// mergeKeys appends the keys of b missing from a.
func mergeKeys(a, b []string) []string {
	seen := map[string]bool{}
	for _, k := range a {
		seen[k] = true
	}
	for _, k := range b {
		if !seen[k] {
			seen[k] = true
			a = append(a, k)
		}
	}
	return a
}

func inBatches(ids []int64, fn func([]int64) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// purgeSearchSegments rewrites SQLite's full-text indexes so the terms of
// deleted rows leave the index pages: FTS5 only marks deletions until its
// segments are merged.
func (s *Store) purgeSearchSegments(ctx context.Context) error {
	return s.write(ctx, func(t *tx) error {
		for _, table := range []string{"message_search", "contact_search", "conversation_search"} {
			if _, err := t.exec(ctx, `INSERT INTO `+table+` (`+table+`) VALUES ('optimize')`); err != nil {
				return t.s.wrap(err, "purging %s", table)
			}
		}
		return nil
	})
}
