package comments

import (
	"context"
	"net/url"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// Context metadata of a comment: what the post (or Instagram media) it is
// on says, and where it is.
const (
	MetaPostText = "post_text"
	MetaPostLink = "post_link"
)

// FetchContext asks the Graph API for the post of a top-level comment whose
// webhook did not carry its text or link (GET /{post-id}?fields=message,
// permalink_url); the pipeline calls it after ingestion, best effort.
func (a *Adapter) FetchContext(ctx context.Context, m *parley.Message) (map[string]string, error) {
	post := m.Metadata["post_id"]
	if post == "" || !topLevel(m) || hasContext(m) {
		return nil, nil
	}
	var p struct {
		Message      string `json:"message"`
		PermalinkURL string `json:"permalink_url"`
	}
	if err := a.Client.Get(ctx, "/"+url.PathEscape(post)+"?fields=message,permalink_url", &p); err != nil {
		return nil, err
	}
	return map[string]string{MetaPostText: p.Message, MetaPostLink: p.PermalinkURL}, nil
}

// FetchInstagramContext asks for the caption and permalink of the media a
// top-level Instagram comment is on (the webhook gives only its id):
// GET /{ig-media-id}?fields=caption,permalink.
func FetchInstagramContext(ctx context.Context, c *graph.Client, m *parley.Message) (map[string]string, error) {
	media := m.Metadata["media_id"]
	if media == "" || !topLevel(m) || hasContext(m) {
		return nil, nil
	}
	var p struct {
		Caption   string `json:"caption"`
		Permalink string `json:"permalink"`
	}
	if err := c.Get(ctx, "/"+url.PathEscape(media)+"?fields=caption,permalink", &p); err != nil {
		return nil, err
	}
	return map[string]string{MetaPostText: p.Caption, MetaPostLink: p.Permalink}, nil
}

// topLevel: the comment that opened its thread carries the context; the
// replies under it would only repeat the same call.
func topLevel(m *parley.Message) bool {
	if m.Direction != parley.DirectionIn || m.Metadata["comment_id"] == "" {
		return false
	}
	if a := m.Metadata["action"]; a != "" && a != "add" {
		return false
	}
	parent := m.Metadata["parent_id"]
	return parent == "" || parent == m.Metadata["post_id"]
}

func hasContext(m *parley.Message) bool {
	return m.Metadata[MetaPostText] != "" && m.Metadata[MetaPostLink] != ""
}
