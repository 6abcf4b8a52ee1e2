package comments

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/channel/meta/messaging"
)

// feedValue is a Page feed change (PLATFORMS.md §2). Older payloads carry
// sender_id/sender_name instead of from.
type feedValue struct {
	From *struct {
		ID   graph.FlexString `json:"id"`
		Name string           `json:"name"`
	} `json:"from"`
	SenderID   graph.FlexString `json:"sender_id"`
	SenderName string           `json:"sender_name"`
	Post       *struct {
		ID           string `json:"id"`
		PermalinkURL string `json:"permalink_url"`
		Message      string `json:"message"`
		StatusType   string `json:"status_type"`
	} `json:"post"`
	Message     string           `json:"message"`
	PostID      graph.FlexString `json:"post_id"`
	CommentID   graph.FlexString `json:"comment_id"`
	ParentID    graph.FlexString `json:"parent_id"`
	CreatedTime graph.FlexTime   `json:"created_time"`
	Item        string           `json:"item"`
	Verb        string           `json:"verb"`
	Photo       string           `json:"photo"`
	Video       string           `json:"video"`
}

// FeedParser maps a Page's feed comment changes: one ticket per top-level
// comment thread (ThreadKey = the top-level comment id), the page's own
// comments as Direction out with the page as sender.
type FeedParser struct {
	ChannelID int64
	PageID    string
}

// Events maps the feed changes of env's entries for this page.
func (p *FeedParser) Events(env *messaging.Envelope) []*parley.InboundEvent {
	var out []*parley.InboundEvent
	for _, e := range env.Entry {
		if e.ID.String() != p.PageID {
			continue
		}
		for _, c := range e.Changes {
			if c.Field != "feed" {
				continue
			}
			var v feedValue
			if json.Unmarshal(c.Value, &v) != nil {
				continue // one unreadable change must not drop the batch
			}
			if in := p.comment(&v, e.Time); in != nil {
				out = append(out, in)
			}
		}
	}
	return out
}

func (p *FeedParser) comment(v *feedValue, entryTime graph.FlexTime) *parley.InboundEvent {
	commentID := v.CommentID.String()
	if v.Item != "comment" || commentID == "" {
		return nil
	}
	kind, action := verbKind(v.Verb)
	if kind == "" {
		return nil
	}
	s := parley.Sender{Kind: parley.IdentityFacebook, Verified: true}
	if v.From != nil {
		s.ID, s.Name = v.From.ID.String(), v.From.Name
	}
	if s.ID == "" {
		s.ID, s.Name = v.SenderID.String(), v.SenderName
	}
	if s.ID == "" {
		if kind == parley.InboundMessage {
			return nil
		}
		s.ID = p.PageID // removals may name nobody
	}
	in := &parley.InboundEvent{
		Kind: kind, ChannelID: p.ChannelID, Platform: parley.PlatformFacebookComments,
		ExternalID: commentID, Sender: s, Direction: parley.DirectionIn,
		Timestamp: v.CreatedTime.Or(entryTime.Time), Text: v.Message,
	}
	if s.ID == p.PageID {
		in.Direction, in.FromAccount = parley.DirectionOut, true
	}
	postID, parentID := v.PostID.String(), v.ParentID.String()
	in.ThreadKey = commentID
	if parentID != "" && parentID != postID {
		in.ThreadKey, in.ReplyTo = parentID, parentID
	}
	if kind != parley.InboundMessage {
		// The comment changed is ReplyTo/Targets; the event gets an id of
		// its own so that an edit, a hide and an unhide of one comment
		// never de-duplicate each other, while a redelivery still does.
		in.ReplyTo, in.Targets = commentID, []string{commentID}
		in.ExternalID = changeID(commentID, action, v.Message, entryTime)
	}
	setMeta(in, "action", action)
	setMeta(in, "comment_id", commentID)
	setMeta(in, "post_id", postID)
	setMeta(in, "parent_id", parentID)
	if v.Post != nil {
		setMeta(in, "post_link", v.Post.PermalinkURL)
		setMeta(in, "post_text", v.Post.Message)
		setMeta(in, "post_type", v.Post.StatusType)
	}
	if v.Photo != "" {
		in.Attachments = append(in.Attachments, parley.Attachment{Type: "image", URL: v.Photo})
	}
	if v.Video != "" {
		in.Attachments = append(in.Attachments, parley.Attachment{Type: "video", URL: v.Video})
	}
	return in
}

// changeID names one change of a comment: the comment, the action, the
// webhook's entry time and (for edits) a hash of the new text.
func changeID(commentID, action, text string, at graph.FlexTime) string {
	id := commentID + "#" + action + ":" + strconv.FormatInt(at.Unix(), 10)
	if action == "edit" || action == "unhide" {
		sum := sha256.Sum256([]byte(text))
		id += ":" + hex.EncodeToString(sum[:6])
	}
	return id
}

// verbKind maps a feed verb to a canonical kind: add → message; edit(ed)
// → edit; remove/delete → delete; hide → delete (action hide, the comment
// is hidden from the public, not gone); unhide → edit (action unhide).
// Other verbs (block, mute, follow…) are not ticket events.
func verbKind(verb string) (parley.InboundKind, string) {
	switch verb {
	case "add":
		return parley.InboundMessage, ""
	case "edited", "edit", "update":
		return parley.InboundEdit, "edit"
	case "remove", "delete":
		return parley.InboundDelete, "remove"
	case "hide":
		return parley.InboundDelete, "hide"
	case "unhide":
		return parley.InboundEdit, "unhide"
	}
	return "", ""
}

func setMeta(in *parley.InboundEvent, k, v string) {
	if v == "" {
		return
	}
	if in.Metadata == nil {
		in.Metadata = map[string]string{}
	}
	in.Metadata[k] = v
}
