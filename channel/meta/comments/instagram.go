package comments

import (
	"encoding/json"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/channel/meta/messaging"
)

type igCommentValue struct {
	ID   graph.FlexString `json:"id"`
	Text string           `json:"text"`
	From *struct {
		ID             graph.FlexString `json:"id"`
		Username       string           `json:"username"`
		SelfIGScopedID graph.FlexString `json:"self_ig_scoped_id"`
	} `json:"from"`
	Media *struct {
		ID               graph.FlexString `json:"id"`
		MediaProductType string           `json:"media_product_type"`
		AdID             string           `json:"ad_id"`
		AdTitle          string           `json:"ad_title"`
		OriginalMediaID  graph.FlexString `json:"original_media_id"`
	} `json:"media"`
	ParentID graph.FlexString `json:"parent_id"`
}

// InstagramParser maps an Instagram account's comments and live_comments
// changes (PLATFORMS.md §3). Instagram sends no edit or delete events for
// comments. A reply (parent_id set) joins the thread of its parent.
type InstagramParser struct {
	ChannelID int64
	AccountID string
}

// Events maps the comment changes of env's entries for this account.
func (p *InstagramParser) Events(env *messaging.Envelope) []*parley.InboundEvent {
	var out []*parley.InboundEvent
	for _, e := range env.Entry {
		if e.ID.String() != p.AccountID {
			continue
		}
		for _, c := range e.Changes {
			if c.Field != "comments" && c.Field != "live_comments" {
				continue
			}
			var v igCommentValue
			if json.Unmarshal(c.Value, &v) != nil {
				continue
			}
			if in := p.comment(&v, c.Field, e.Time); in != nil {
				out = append(out, in)
			}
		}
	}
	return out
}

func (p *InstagramParser) comment(v *igCommentValue, field string, at graph.FlexTime) *parley.InboundEvent {
	id := v.ID.String()
	if id == "" || v.From == nil || v.From.ID == "" {
		return nil
	}
	in := &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: p.ChannelID, Platform: parley.PlatformInstagram,
		ExternalID: id, ThreadKey: id, Direction: parley.DirectionIn, Timestamp: at.Time, Text: v.Text,
		Sender: parley.Sender{Kind: parley.IdentityInstagram, ID: v.From.ID.String(), Username: v.From.Username, Verified: true},
	}
	if in.Sender.ID == p.AccountID {
		in.Direction, in.FromAccount = parley.DirectionOut, true
	}
	if parent := v.ParentID.String(); parent != "" {
		in.ThreadKey, in.ReplyTo = parent, parent
		setMeta(in, "parent_id", parent)
	}
	setMeta(in, "comment_id", id)
	setMeta(in, "comment_field", field)
	if m := v.Media; m != nil {
		setMeta(in, "media_id", m.ID.String())
		setMeta(in, "media_product_type", m.MediaProductType)
		setMeta(in, "ad_id", m.AdID)
		setMeta(in, "ad_title", m.AdTitle)
		setMeta(in, "original_media_id", m.OriginalMediaID.String())
	}
	return in
}
