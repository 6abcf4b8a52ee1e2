package messaging

import (
	"context"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// Outbound Message.Metadata keys understood by the Messenger and Instagram
// adapters.
const (
	// MetaQuickReplies is a JSON array of {"title","payload","image_url"?}.
	MetaQuickReplies = "quick_replies"
	// MetaButtons is a JSON array of {"type":"postback"|"web_url","title","payload"|"url"}.
	MetaButtons = "buttons"
	// MetaReplyMode chooses "public" or "private" replies in comment threads.
	MetaReplyMode = "reply_mode"
)

// SendRequest is the Send API body (PLATFORMS.md §1).
type SendRequest struct {
	Recipient     Recipient   `json:"recipient"`
	MessagingType string      `json:"messaging_type,omitempty"`
	Tag           string      `json:"tag,omitempty"`
	Message       *OutMessage `json:"message,omitempty"`
	SenderAction  string      `json:"sender_action,omitempty"`
}

// Recipient addresses a person by scoped id, or a comment for a private reply.
type Recipient struct {
	ID        string `json:"id,omitempty"`
	CommentID string `json:"comment_id,omitempty"`
	PostID    string `json:"post_id,omitempty"`
}

// OutMessage is the message object of a send.
type OutMessage struct {
	Text         string         `json:"text,omitempty"`
	QuickReplies []QuickReply   `json:"quick_replies,omitempty"`
	Attachment   *OutAttachment `json:"attachment,omitempty"`
	Metadata     string         `json:"metadata,omitempty"`
}

// QuickReply is one quick-reply chip.
type QuickReply struct {
	ContentType string `json:"content_type"`
	Title       string `json:"title"`
	Payload     string `json:"payload"`
	ImageURL    string `json:"image_url,omitempty"`
}

// OutAttachment is a media or template attachment.
type OutAttachment struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// MediaPayload points Meta at a file to send.
type MediaPayload struct {
	URL        string `json:"url"`
	IsReusable bool   `json:"is_reusable,omitempty"`
}

// ButtonTemplate is the button template payload.
type ButtonTemplate struct {
	TemplateType string   `json:"template_type"`
	Text         string   `json:"text"`
	Buttons      []Button `json:"buttons"`
}

// Button is a postback or web_url button.
type Button struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	Payload string `json:"payload,omitempty"`
	URL     string `json:"url,omitempty"`
}

// SendResponse is the Send API's success answer.
type SendResponse struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// Limits are a platform's message limits.
type Limits struct {
	Name           string // "Messenger", "Instagram": for reasons
	Text           int    // per message
	TextBytes      bool   // Text counts UTF-8 bytes
	QuickReplies   int
	QuickTitle     int
	Buttons        int
	ButtonTitle    int
	ButtonText     int
	Payload        int
	MediaTypes     []string
	MetadataLength int
}

// MessengerLimits: text 2000 (UNVERIFIED, PLATFORMS.md §1), 13 quick
// replies, 1–3 buttons with titles ≤20, template text ≤640, payload ≤1000.
var MessengerLimits = Limits{
	Name: "Messenger", Text: 2000, QuickReplies: 13, QuickTitle: 20, Buttons: 3,
	ButtonTitle: 20, ButtonText: 640, Payload: 1000, MetadataLength: 1000,
	MediaTypes: []string{"image", "audio", "video", "file"},
}

// InstagramLimits: text 1000 UTF-8 bytes (third-party, UNVERIFIED), 13
// quick replies with titles ≤20; no button template is sent on Instagram.
var InstagramLimits = Limits{
	Name: "Instagram", Text: 1000, TextBytes: true, QuickReplies: 13, QuickTitle: 20,
	Payload: 1000, MetadataLength: 1000,
	MediaTypes: []string{"image", "audio", "video", "file"},
}

// textLength counts text the way the platform limit does.
func (l Limits) textLength(s string) int {
	if l.TextBytes {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// BuildMessage turns a Parley message into the Send API message object,
// refusing (permanent SendError) what the platform cannot carry: one
// attachment per message, no text beside an attachment, text, quick replies
// and buttons within the limits.
func BuildMessage(m *parley.Message, l Limits) (*OutMessage, error) {
	if m == nil {
		return nil, graph.Refuse("invalid_message", "no message to send")
	}
	out := &OutMessage{}
	if m.ID != 0 {
		out.Metadata = "parley:" + strconv.FormatInt(m.ID, 10)
	}
	switch {
	case len(m.Attachments) > 1:
		return nil, graph.Refuse("too_many_attachments", "%s carries one attachment per message; this one has %d", l.Name, len(m.Attachments))
	case len(m.Attachments) == 1 && m.Body != "":
		return nil, graph.Refuse("text_with_attachment", "%s sends text and an attachment as separate messages: send the attachment on its own", l.Name)
	case len(m.Attachments) == 1:
		att, err := mediaAttachment(m.Attachments[0], l)
		if err != nil {
			return nil, err
		}
		out.Attachment = att
		return out, nil
	}
	if m.Body == "" {
		return nil, graph.Refuse("empty_message", "the message has no text and no attachment")
	}
	if n := l.textLength(m.Body); n > l.Text {
		unit := "characters"
		if l.TextBytes {
			unit = "bytes"
		}
		return nil, graph.Refuse("text_too_long", "text is %d %s; %s allows %d per message (split it)", n, unit, l.Name, l.Text)
	}
	if raw := m.Metadata[MetaButtons]; raw != "" {
		att, err := buttonTemplate(m.Body, raw, l)
		if err != nil {
			return nil, err
		}
		out.Attachment = att
		return out, nil
	}
	out.Text = m.Body
	if raw := m.Metadata[MetaQuickReplies]; raw != "" {
		qr, err := quickReplies(raw, l)
		if err != nil {
			return nil, err
		}
		out.QuickReplies = qr
	}
	return out, nil
}

func mediaAttachment(a parley.Attachment, l Limits) (*OutAttachment, error) {
	typ := a.Type
	if typ == "document" {
		typ = "file"
	}
	allowed := false
	for _, t := range l.MediaTypes {
		allowed = allowed || t == typ
	}
	if !allowed {
		return nil, graph.Refuse("unsupported_media", "%s cannot send %q attachments", l.Name, a.Type)
	}
	if a.URL == "" {
		return nil, graph.Refuse("media_without_url", "the attachment has no public URL for %s to fetch", l.Name)
	}
	payload, _ := json.Marshal(MediaPayload{URL: a.URL, IsReusable: true})
	return &OutAttachment{Type: typ, Payload: payload}, nil
}

func quickReplies(raw string, l Limits) ([]QuickReply, error) {
	var in []struct {
		Title    string `json:"title"`
		Payload  string `json:"payload"`
		ImageURL string `json:"image_url"`
	}
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		return nil, graph.Refuse("invalid_quick_replies", "quick_replies metadata is not a JSON array: %v", err)
	}
	if l.QuickReplies == 0 {
		return nil, graph.Refuse("quick_replies_unsupported", "%s does not support quick replies", l.Name)
	}
	if len(in) > l.QuickReplies {
		return nil, graph.Refuse("too_many_quick_replies", "%d quick replies; %s allows %d", len(in), l.Name, l.QuickReplies)
	}
	out := make([]QuickReply, 0, len(in))
	for _, q := range in {
		if q.Title == "" || utf8.RuneCountInString(q.Title) > l.QuickTitle {
			return nil, graph.Refuse("quick_reply_title", "quick reply title %q must be 1–%d characters", q.Title, l.QuickTitle)
		}
		if q.Payload == "" {
			q.Payload = q.Title
		}
		if utf8.RuneCountInString(q.Payload) > l.Payload {
			return nil, graph.Refuse("payload_too_long", "quick reply payload exceeds %d characters", l.Payload)
		}
		out = append(out, QuickReply{ContentType: "text", Title: q.Title, Payload: q.Payload, ImageURL: q.ImageURL})
	}
	return out, nil
}

func buttonTemplate(text, raw string, l Limits) (*OutAttachment, error) {
	var in []Button
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		return nil, graph.Refuse("invalid_buttons", "buttons metadata is not a JSON array: %v", err)
	}
	switch {
	case l.Buttons == 0:
		return nil, graph.Refuse("buttons_unsupported", "%s does not support buttons here", l.Name)
	case len(in) == 0 || len(in) > l.Buttons:
		return nil, graph.Refuse("button_count", "%d buttons; %s allows 1–%d", len(in), l.Name, l.Buttons)
	case utf8.RuneCountInString(text) > l.ButtonText:
		return nil, graph.Refuse("button_text_too_long", "text above buttons is %d characters; %s allows %d", utf8.RuneCountInString(text), l.Name, l.ButtonText)
	}
	for i, b := range in {
		if b.Type == "" {
			in[i].Type, b.Type = "postback", "postback"
		}
		if b.Title == "" || utf8.RuneCountInString(b.Title) > l.ButtonTitle {
			return nil, graph.Refuse("button_title", "button title %q must be 1–%d characters", b.Title, l.ButtonTitle)
		}
		switch {
		case b.Type == "postback" && (b.Payload == "" || utf8.RuneCountInString(b.Payload) > l.Payload):
			return nil, graph.Refuse("button_payload", "postback button %q needs a payload of 1–%d characters", b.Title, l.Payload)
		case b.Type == "web_url" && b.URL == "":
			return nil, graph.Refuse("button_url", "web_url button %q needs a url", b.Title)
		case b.Type != "postback" && b.Type != "web_url":
			return nil, graph.Refuse("button_type", "button type %q is not postback or web_url", b.Type)
		}
	}
	payload, _ := json.Marshal(ButtonTemplate{TemplateType: "button", Text: text, Buttons: in})
	return &OutAttachment{Type: "template", Payload: payload}, nil
}

// Post sends req to path ("/me/messages", "/{page-id}/messages") and
// classifies any failure as a *parley.SendError.
func Post(ctx context.Context, c *graph.Client, path string, req *SendRequest) (SendResponse, error) {
	var resp SendResponse
	if err := c.PostJSON(ctx, path, req, &resp); err != nil {
		return SendResponse{}, graph.Classify(err)
	}
	if resp.MessageID == "" && req.SenderAction == "" {
		return SendResponse{}, &parley.SendError{Class: parley.SendTransient, Reason: "Meta answered without a message_id"}
	}
	return resp, nil
}

// WithText returns l with its text limit replaced when n > 0 (the
// text_limit config key).
func (l Limits) WithText(n int) Limits {
	if n > 0 {
		l.Text = n
	}
	return l
}
