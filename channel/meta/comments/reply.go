package comments

import (
	"context"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/channel/meta/messaging"
)

// Reply modes (Message.Metadata["reply_mode"]).
const (
	ReplyPublic  = "public"
	ReplyPrivate = "private"
)

// ReplyTarget is the comment a reply answers: the message's ReplyToID when
// the agent picked one, else the thread's top-level comment.
func ReplyTarget(m parley.OutboundMessage) string {
	if m.Message != nil && m.Message.ReplyToID != "" {
		return m.Message.ReplyToID
	}
	if m.Message != nil && m.Message.Metadata["comment_id"] != "" {
		return m.Message.Metadata["comment_id"]
	}
	if m.Conversation != nil {
		return m.Conversation.ThreadKey
	}
	return ""
}

// ReplyMode reads reply_mode; empty means public.
func ReplyMode(m parley.OutboundMessage) (string, error) {
	mode := ""
	if m.Message != nil {
		mode = m.Message.Metadata[messaging.MetaReplyMode]
	}
	switch mode {
	case "", ReplyPublic:
		return ReplyPublic, nil
	case ReplyPrivate:
		return ReplyPrivate, nil
	}
	return "", graph.Refuse("reply_mode", "reply_mode %q is not public or private", mode)
}

// PublicReply posts a comment under commentID: POST /{comment-id}/{edge}
// with message=… ("comments" on Facebook, "replies" on Instagram). A single
// image attachment rides along as attachment_url on Facebook.
func PublicReply(ctx context.Context, c *graph.Client, commentID, edge string, msg *parley.Message, textLimit int, allowImage bool) (parley.SendResult, error) {
	if commentID == "" {
		return parley.SendResult{}, graph.Refuse("no_comment", "no comment to reply to")
	}
	if msg == nil {
		return parley.SendResult{}, graph.Refuse("invalid_message", "no message to send")
	}
	form := url.Values{}
	if msg.Body != "" {
		if n := utf8.RuneCountInString(msg.Body); n > textLimit {
			return parley.SendResult{}, graph.Refuse("text_too_long", "comment is %d characters; the limit is %d", n, textLimit)
		}
		form.Set("message", msg.Body)
	}
	switch {
	case len(msg.Attachments) > 1 || (len(msg.Attachments) == 1 && !allowImage):
		return parley.SendResult{}, graph.Refuse("comment_attachments", "a comment reply here carries at most %d image", boolInt(allowImage))
	case len(msg.Attachments) == 1:
		a := msg.Attachments[0]
		if a.Type != "image" || a.URL == "" {
			return parley.SendResult{}, graph.Refuse("comment_attachments", "a comment reply can carry one image by public URL")
		}
		form.Set("attachment_url", a.URL)
	}
	if len(form) == 0 {
		return parley.SendResult{}, graph.Refuse("empty_message", "the reply is empty")
	}
	var resp struct {
		ID string `json:"id"`
	}
	if err := c.PostForm(ctx, "/"+commentID+"/"+edge, form, &resp); err != nil {
		return parley.SendResult{}, graph.Classify(err)
	}
	if resp.ID == "" {
		return parley.SendResult{}, &parley.SendError{Class: parley.SendTransient, Reason: "Meta answered without the new comment's id"}
	}
	return parley.SendResult{ExternalID: resp.ID, Status: parley.MessageSent}, nil
}

// Reply answers a comment thread publicly or privately as reply_mode says.
// Private replies go through the Send API at messagesPath within 7 days of
// the thread's last inbound comment.
func Reply(ctx context.Context, c *graph.Client, m parley.OutboundMessage, edge, messagesPath string, l messaging.Limits, publicLimit int, allowImage bool, now time.Time) (parley.SendResult, error) {
	mode, err := ReplyMode(m)
	if err != nil {
		return parley.SendResult{}, err
	}
	target := ReplyTarget(m)
	if mode == ReplyPublic {
		return PublicReply(ctx, c, target, edge, m.Message, publicLimit, allowImage)
	}
	var last *time.Time
	if m.Conversation != nil {
		last = m.Conversation.LastInboundAt
	}
	return messaging.SendPrivateReply(ctx, c, messagesPath, target, m.Message, l, last, now)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
