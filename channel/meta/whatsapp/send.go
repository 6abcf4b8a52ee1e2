package whatsapp

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// Outbound Message.Metadata keys understood by the WhatsApp adapter.
const (
	// MetaButtons is a JSON array of reply buttons {"id","title"} (≤3).
	MetaButtons = "buttons"
	// MetaList is a JSON list {"button","sections":[{"title","rows":[{"id","title","description"}]}]}.
	MetaList = "list"
	// MetaTemplateName, MetaTemplateLanguage (default en_US) and
	// MetaTemplateParams (a JSON array of body parameter strings) describe a
	// KindTemplate message.
	MetaTemplateName     = "template_name"
	MetaTemplateLanguage = "template_language"
	MetaTemplateParams   = "template_params"
	// MetaPreviewURL "true" asks WhatsApp to render a link preview.
	MetaPreviewURL = "preview_url"
)

// Limits (PLATFORMS.md §4).
const (
	TextLimit         = 4096
	CaptionLimit      = 1024 // UNVERIFIED: third-party figure
	InteractiveBody   = 1024 // third-party figure
	MaxButtons        = 3
	ButtonTitleLimit  = 20
	ButtonIDLimit     = 256
	ListButtonLimit   = 20
	MaxListRows       = 10
	RowTitleLimit     = 24
	RowDescLimit      = 72
	OpaqueDataLimit   = 512
	DefaultTemplateLn = "en_US"
)

// SendRequest is the Cloud API message body.
type SendRequest struct {
	MessagingProduct      string       `json:"messaging_product"`
	RecipientType         string       `json:"recipient_type,omitempty"`
	To                    string       `json:"to,omitempty"`
	Type                  string       `json:"type,omitempty"`
	Context               *ContextRef  `json:"context,omitempty"`
	BizOpaqueCallbackData string       `json:"biz_opaque_callback_data,omitempty"`
	Text                  *Text        `json:"text,omitempty"`
	Image                 *Media       `json:"image,omitempty"`
	Audio                 *Media       `json:"audio,omitempty"`
	Video                 *Media       `json:"video,omitempty"`
	Document              *Media       `json:"document,omitempty"`
	Sticker               *Media       `json:"sticker,omitempty"`
	Interactive           *Interactive `json:"interactive,omitempty"`
	Template              *Template    `json:"template,omitempty"`
	// Mark as read: {"messaging_product","status":"read","message_id"}.
	Status    string `json:"status,omitempty"`
	MessageID string `json:"message_id,omitempty"`
}

// ContextRef quotes the message replied to.
type ContextRef struct {
	MessageID string `json:"message_id"`
}

// Text is a text message.
type Text struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

// Media is a media object by link or uploaded id.
type Media struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// Interactive is a reply-button or list message.
type Interactive struct {
	Type   string            `json:"type"`
	Body   InteractiveBodyT  `json:"body"`
	Action InteractiveAction `json:"action"`
}

// InteractiveBodyT is the text of an interactive message.
type InteractiveBodyT struct {
	Text string `json:"text"`
}

// InteractiveAction holds buttons, or a list's button label and sections.
type InteractiveAction struct {
	Buttons  []ReplyButton `json:"buttons,omitempty"`
	Button   string        `json:"button,omitempty"`
	Sections []ListSection `json:"sections,omitempty"`
}

// ReplyButton is one reply button.
type ReplyButton struct {
	Type  string `json:"type"`
	Reply struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"reply"`
}

// ListSection is one section of a list message.
type ListSection struct {
	Title string    `json:"title,omitempty"`
	Rows  []ListRow `json:"rows"`
}

// ListRow is one choosable row.
type ListRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// Template is an approved message template.
type Template struct {
	Name       string              `json:"name"`
	Language   TemplateLanguage    `json:"language"`
	Components []TemplateComponent `json:"components,omitempty"`
}

// TemplateLanguage names the template's translation.
type TemplateLanguage struct {
	Code string `json:"code"`
}

// TemplateComponent fills a part of the template.
type TemplateComponent struct {
	Type       string              `json:"type"`
	Parameters []TemplateParameter `json:"parameters"`
}

// TemplateParameter is one {{n}} value.
type TemplateParameter struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// SendResponse is the Cloud API's success answer.
type SendResponse struct {
	MessagingProduct string `json:"messaging_product"`
	Contacts         []struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		ID            string `json:"id"`
		MessageStatus string `json:"message_status"`
	} `json:"messages"`
	Success bool `json:"success"`
}

// buildRequest fits a Parley message to the Cloud API, refusing what
// WhatsApp cannot carry.
func buildRequest(to string, m *parley.Message) (*SendRequest, error) {
	if m == nil {
		return nil, graph.Refuse("invalid_message", "no message to send")
	}
	req := &SendRequest{MessagingProduct: "whatsapp", RecipientType: "individual", To: to}
	if m.ReplyToID != "" {
		req.Context = &ContextRef{MessageID: m.ReplyToID}
	}
	if m.ID != 0 {
		req.BizOpaqueCallbackData = "parley:" + strconv.FormatInt(m.ID, 10)
	}
	var err error
	switch {
	case m.Kind == parley.KindTemplate:
		err = fillTemplate(req, m)
	case len(m.Attachments) > 1:
		err = graph.Refuse("too_many_attachments", "WhatsApp carries one attachment per message; this one has %d", len(m.Attachments))
	case len(m.Attachments) == 1:
		err = fillMedia(req, m.Attachments[0], m.Body)
	case m.Metadata[MetaButtons] != "":
		err = fillButtons(req, m.Body, m.Metadata[MetaButtons])
	case m.Metadata[MetaList] != "":
		err = fillList(req, m.Body, m.Metadata[MetaList])
	default:
		err = fillText(req, m)
	}
	if err != nil {
		return nil, err
	}
	return req, nil
}

func fillText(req *SendRequest, m *parley.Message) error {
	n := utf8.RuneCountInString(m.Body)
	switch {
	case n == 0:
		return graph.Refuse("empty_message", "the message has no text and no attachment")
	case n > TextLimit:
		return graph.Refuse("text_too_long", "text is %d characters; WhatsApp allows %d per message (split it)", n, TextLimit)
	}
	req.Type = "text"
	req.Text = &Text{Body: m.Body, PreviewURL: m.Metadata[MetaPreviewURL] == "true"}
	return nil
}

func fillMedia(req *SendRequest, a parley.Attachment, caption string) error {
	md := &Media{ID: a.PlatformID, Link: a.URL}
	if md.ID != "" {
		md.Link = ""
	}
	if md.ID == "" && md.Link == "" {
		return graph.Refuse("media_without_url", "the attachment has neither a public URL nor a WhatsApp media id")
	}
	typ := a.Type
	switch typ {
	case "file", "document":
		typ, md.Filename = "document", a.Filename
	case "image", "video", "audio", "sticker":
	default:
		return graph.Refuse("unsupported_media", "WhatsApp cannot send %q attachments", a.Type)
	}
	if caption != "" {
		if typ == "audio" || typ == "sticker" {
			return graph.Refuse("text_with_attachment", "WhatsApp %s messages carry no caption: send the text separately", typ)
		}
		if n := utf8.RuneCountInString(caption); n > CaptionLimit {
			return graph.Refuse("caption_too_long", "caption is %d characters; WhatsApp allows %d", n, CaptionLimit)
		}
		md.Caption = caption
	}
	req.Type = typ
	switch typ {
	case "image":
		req.Image = md
	case "video":
		req.Video = md
	case "audio":
		req.Audio = md
	case "sticker":
		req.Sticker = md
	default:
		req.Document = md
	}
	return nil
}

func fillButtons(req *SendRequest, body, raw string) error {
	var in []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		return graph.Refuse("invalid_buttons", "buttons metadata is not a JSON array: %v", err)
	}
	if err := interactiveBody(body); err != nil {
		return err
	}
	if len(in) == 0 || len(in) > MaxButtons {
		return graph.Refuse("button_count", "%d buttons; WhatsApp allows 1–%d (use a list for more)", len(in), MaxButtons)
	}
	act := InteractiveAction{}
	for _, b := range in {
		if b.ID == "" {
			b.ID = b.Title
		}
		if b.Title == "" || utf8.RuneCountInString(b.Title) > ButtonTitleLimit || utf8.RuneCountInString(b.ID) > ButtonIDLimit {
			return graph.Refuse("button_title", "button %q: title must be 1–%d characters, id ≤%d", b.Title, ButtonTitleLimit, ButtonIDLimit)
		}
		rb := ReplyButton{Type: "reply"}
		rb.Reply.ID, rb.Reply.Title = b.ID, b.Title
		act.Buttons = append(act.Buttons, rb)
	}
	req.Type = "interactive"
	req.Interactive = &Interactive{Type: "button", Body: InteractiveBodyT{Text: body}, Action: act}
	return nil
}

func fillList(req *SendRequest, body, raw string) error {
	var in struct {
		Button   string        `json:"button"`
		Sections []ListSection `json:"sections"`
	}
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		return graph.Refuse("invalid_list", "list metadata is not a JSON object: %v", err)
	}
	if err := interactiveBody(body); err != nil {
		return err
	}
	if in.Button == "" || utf8.RuneCountInString(in.Button) > ListButtonLimit {
		return graph.Refuse("list_button", "list button label must be 1–%d characters", ListButtonLimit)
	}
	rows := 0
	for _, s := range in.Sections {
		for _, r := range s.Rows {
			rows++
			if r.ID == "" || r.Title == "" || utf8.RuneCountInString(r.Title) > RowTitleLimit || utf8.RuneCountInString(r.Description) > RowDescLimit {
				return graph.Refuse("list_row", "list row %q: needs an id, a title of 1–%d characters and a description ≤%d", r.Title, RowTitleLimit, RowDescLimit)
			}
		}
	}
	if rows == 0 || rows > MaxListRows {
		return graph.Refuse("list_rows", "%d list rows; WhatsApp allows 1–%d", rows, MaxListRows)
	}
	req.Type = "interactive"
	req.Interactive = &Interactive{Type: "list", Body: InteractiveBodyT{Text: body}, Action: InteractiveAction{Button: in.Button, Sections: in.Sections}}
	return nil
}

func interactiveBody(body string) error {
	if n := utf8.RuneCountInString(body); n == 0 || n > InteractiveBody {
		return graph.Refuse("interactive_body", "interactive message text is %d characters; WhatsApp needs 1–%d", n, InteractiveBody)
	}
	return nil
}

func fillTemplate(req *SendRequest, m *parley.Message) error {
	name := strings.TrimSpace(m.Metadata[MetaTemplateName])
	if name == "" {
		return graph.Refuse("template_name", "a template message needs metadata %s", MetaTemplateName)
	}
	lang := m.Metadata[MetaTemplateLanguage]
	if lang == "" {
		lang = DefaultTemplateLn
	}
	t := &Template{Name: name, Language: TemplateLanguage{Code: lang}}
	if raw := m.Metadata[MetaTemplateParams]; raw != "" {
		var params []string
		if err := json.Unmarshal([]byte(raw), &params); err != nil {
			return graph.Refuse("template_params", "%s must be a JSON array of strings: %v", MetaTemplateParams, err)
		}
		if len(params) > 0 {
			c := TemplateComponent{Type: "body"}
			for _, p := range params {
				c.Parameters = append(c.Parameters, TemplateParameter{Type: "text", Text: p})
			}
			t.Components = []TemplateComponent{c}
		}
	}
	req.Type, req.Template = "template", t
	return nil
}
