package messaging

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// SendDirect sends m to the customer's scoped id through the Send API at
// path, inside the reply window of m.Conversation.LastInboundAt: a RESPONSE
// within 24 h, a HUMAN_AGENT-tagged message up to 7 days when humanAgent,
// otherwise refused before any request.
func SendDirect(ctx context.Context, c *graph.Client, path string, m parley.OutboundMessage, l Limits, humanAgent bool, now time.Time) (parley.SendResult, error) {
	if m.Recipient == nil || m.Recipient.Value == "" {
		return parley.SendResult{}, graph.Refuse("no_recipient", "no %s recipient for this conversation", l.Name)
	}
	if m.Message != nil && m.Message.Kind == parley.KindTemplate {
		return parley.SendResult{}, graph.Refuse("templates_unsupported", "%s has no message templates", l.Name)
	}
	var last *time.Time
	if m.Conversation != nil {
		last = m.Conversation.LastInboundAt
	}
	win, err := graph.MessengerWindow(last, now, humanAgent)
	if err != nil {
		return parley.SendResult{}, err
	}
	msg, err := BuildMessage(m.Message, l)
	if err != nil {
		return parley.SendResult{}, err
	}
	req := &SendRequest{Recipient: Recipient{ID: m.Recipient.Value}, MessagingType: win.MessagingType, Tag: win.Tag, Message: msg}
	resp, err := Post(ctx, c, path, req)
	if err != nil {
		return parley.SendResult{}, err
	}
	return parley.SendResult{ExternalID: resp.MessageID, Status: parley.MessageSent}, nil
}

// SendPrivateReply answers a comment in the commenter's inbox
// (recipient.comment_id): one message, within 7 days of the comment, whose
// time is commentAt.
func SendPrivateReply(ctx context.Context, c *graph.Client, path, commentID string, msg *parley.Message, l Limits, commentAt *time.Time, now time.Time) (parley.SendResult, error) {
	if commentID == "" {
		return parley.SendResult{}, graph.Refuse("no_comment", "no comment to reply to privately")
	}
	if !graph.WithinWindow(commentAt, now, graph.PrivateReplyWindow) {
		return parley.SendResult{}, graph.WindowClosedError("a private reply must be sent within 7 days of the comment")
	}
	out, err := BuildMessage(msg, l)
	if err != nil {
		return parley.SendResult{}, err
	}
	out.QuickReplies = nil
	resp, err := Post(ctx, c, path, &SendRequest{Recipient: Recipient{CommentID: commentID}, Message: out})
	if err != nil {
		return parley.SendResult{}, err
	}
	return parley.SendResult{ExternalID: resp.MessageID, Status: parley.MessageSent}, nil
}

// MarkSeen sends the mark_seen sender action to a customer.
func MarkSeen(ctx context.Context, c *graph.Client, path, recipientID string) error {
	if recipientID == "" {
		return graph.Refuse("no_recipient", "no recipient to mark as seen")
	}
	_, err := Post(ctx, c, path, &SendRequest{Recipient: Recipient{ID: recipientID}, SenderAction: "mark_seen"})
	return err
}
