package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/parleyhq/parley"
)

var _ parley.TemplateService = (*Store)(nil)

// ReplaceTemplates makes templates the channel's whole synced list: the
// platform's answer is the truth, so templates deleted there go here too.
func (s *Store) ReplaceTemplates(ctx context.Context, channelID int64, templates []*parley.Template) error {
	return s.write(ctx, func(t *tx) error {
		if _, err := t.findChannel(ctx, channelID); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM channel_templates WHERE channel_id = $1`, channelID); err != nil {
			return s.wrap(err, "clearing templates of channel %d", channelID)
		}
		seen := map[[2]string]bool{}
		for _, tp := range templates {
			key := [2]string{tp.Name, tp.Language}
			if tp.Name == "" || seen[key] {
				continue
			}
			seen[key] = true
			if _, err := t.exec(ctx, `INSERT INTO channel_templates (channel_id, name, language, category, status, body, header, footer, params)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				channelID, tp.Name, tp.Language, tp.Category, tp.Status, tp.Body, tp.Header, tp.Footer, tp.Params); err != nil {
				return s.wrap(err, "storing template %s/%s", tp.Name, tp.Language)
			}
		}
		_, err := t.exec(ctx, `INSERT INTO channel_template_syncs (channel_id, synced_at) VALUES ($1, $2)
			ON CONFLICT (channel_id) DO UPDATE SET synced_at = excluded.synced_at`, channelID, t.now)
		return s.wrap(err, "recording template sync of channel %d", channelID)
	})
}

// FindTemplates lists a channel's synced templates by name and language.
func (s *Store) FindTemplates(ctx context.Context, channelID int64) ([]*parley.Template, *time.Time, error) {
	out := []*parley.Template{}
	var synced *time.Time
	err := s.read(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `SELECT synced_at FROM channel_template_syncs WHERE channel_id = $1`, channelID).Scan(nullTimeCol{&synced})
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return s.wrap(err, "reading template sync of channel %d", channelID)
		}
		rows, err := t.query(ctx, `SELECT name, language, category, status, body, header, footer, params
			FROM channel_templates WHERE channel_id = $1 ORDER BY name, language`, channelID)
		if err != nil {
			return s.wrap(err, "loading templates of channel %d", channelID)
		}
		defer rows.Close()
		for rows.Next() {
			tp := &parley.Template{}
			if err := rows.Scan(&tp.Name, &tp.Language, &tp.Category, &tp.Status, &tp.Body, &tp.Header, &tp.Footer, &tp.Params); err != nil {
				return s.wrap(err, "scanning template")
			}
			out = append(out, tp)
		}
		return s.wrap(rows.Err(), "loading templates of channel %d", channelID)
	})
	if err != nil {
		return nil, nil, err
	}
	return out, synced, nil
}
