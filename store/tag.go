package store

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
)

// FindTags lists every tag with the number of tickets carrying it.
func (s *Store) FindTags(ctx context.Context) ([]*parley.Tag, error) {
	tags := []*parley.Tag{}
	err := s.read(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT t.name, t.color, COUNT(ct.conversation_id)
			FROM tags t LEFT JOIN conversation_tags ct ON ct.tag = t.name
			GROUP BY t.name, t.color ORDER BY t.name`)
		if err != nil {
			return s.wrap(err, "listing tags")
		}
		defer rows.Close()
		for rows.Next() {
			tag := &parley.Tag{}
			if err := rows.Scan(&tag.Name, &tag.Color, &tag.Count); err != nil {
				return s.wrap(err, "scanning tag")
			}
			tags = append(tags, tag)
		}
		return s.wrap(rows.Err(), "listing tags")
	})
	return tags, err
}

// UpsertTag creates a tag or changes its colour.
func (s *Store) UpsertTag(ctx context.Context, tag *parley.Tag) error {
	tag.Name = strings.TrimSpace(tag.Name)
	if tag.Name == "" {
		return parley.Errorf(parley.EINVALID, "tag needs a name")
	}
	return s.write(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO tags (name, color, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET color = excluded.color`, tag.Name, tag.Color, t.now)
		if err != nil {
			return s.wrap(err, "saving tag %q", tag.Name)
		}
		return s.wrap(t.queryRow(ctx, `SELECT COUNT(*) FROM conversation_tags WHERE tag = $1`, tag.Name).Scan(&tag.Count), "counting tag")
	})
}

// DeleteTag removes a tag from the list and from every ticket. Automatic
// channel tags cannot be deleted.
func (s *Store) DeleteTag(ctx context.Context, name string) error {
	if strings.HasPrefix(name, "channel:") {
		return parley.Errorf(parley.EINVALID, "tag %q is automatic and cannot be deleted", name)
	}
	return s.write(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, `DELETE FROM conversation_tags WHERE tag = $1`, name); err != nil {
			return s.wrap(err, "untagging %q", name)
		}
		n, err := t.exec(ctx, `DELETE FROM tags WHERE name = $1`, name)
		if err != nil {
			return s.wrap(err, "deleting tag %q", name)
		} else if n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "tag %q not found", name)
		}
		return nil
	})
}

// ensureTags makes sure the tag list names every tag in use.
func (t *tx) ensureTags(ctx context.Context, names []string) error {
	for _, name := range names {
		if _, err := t.exec(ctx, `INSERT INTO tags (name, color, created_at) VALUES ($1, '', $2) ON CONFLICT (name) DO NOTHING`, name, t.now); err != nil {
			return t.s.wrap(err, "creating tag %q", name)
		}
	}
	return nil
}
