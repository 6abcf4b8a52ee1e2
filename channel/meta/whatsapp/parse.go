package whatsapp

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

type envelope struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      graph.FlexString `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value value  `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string           `json:"display_phone_number"`
		PhoneNumberID      graph.FlexString `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID   graph.FlexString `json:"wa_id"`
		UserID string           `json:"user_id"`
	} `json:"contacts"`
	Messages      []inMessage   `json:"messages"`
	Statuses      []status      `json:"statuses"`
	MessageEchoes []inMessage   `json:"message_echoes"`
	Errors        []graph.Error `json:"errors"`
}

type media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	URL      string `json:"url"`
	Voice    bool   `json:"voice"`
	Animated bool   `json:"animated"`
}

type inMessage struct {
	From       graph.FlexString `json:"from"`
	To         graph.FlexString `json:"to"`
	FromUserID string           `json:"from_user_id"`
	ID         string           `json:"id"`
	Timestamp  graph.FlexTime   `json:"timestamp"`
	Type       string           `json:"type"`
	Text       *struct {
		Body string `json:"body"`
	} `json:"text"`
	Context *struct {
		From      graph.FlexString `json:"from"`
		ID        string           `json:"id"`
		Forwarded bool             `json:"forwarded"`
	} `json:"context"`
	Image    *media `json:"image"`
	Audio    *media `json:"audio"`
	Video    *media `json:"video"`
	Document *media `json:"document"`
	Sticker  *media `json:"sticker"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
		URL       string  `json:"url"`
	} `json:"location"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Edit *struct {
		OriginalMessageID string          `json:"original_message_id"`
		Message           json.RawMessage `json:"message"`
	} `json:"edit"`
	Revoke *struct {
		OriginalMessageID string `json:"original_message_id"`
	} `json:"revoke"`
	Referral *struct {
		SourceURL  string `json:"source_url"`
		SourceID   string `json:"source_id"`
		SourceType string `json:"source_type"`
		Headline   string `json:"headline"`
		Body       string `json:"body"`
		CtwaClid   string `json:"ctwa_clid"`
	} `json:"referral"`
	Errors []graph.Error `json:"errors"`
}

type status struct {
	ID                    string           `json:"id"`
	Status                string           `json:"status"`
	Timestamp             graph.FlexTime   `json:"timestamp"`
	RecipientID           graph.FlexString `json:"recipient_id"`
	RecipientUserID       string           `json:"recipient_user_id"`
	BizOpaqueCallbackData string           `json:"biz_opaque_callback_data"`
	Conversation          *struct {
		ID     string `json:"id"`
		Origin struct {
			Type string `json:"type"`
		} `json:"origin"`
	} `json:"conversation"`
	Pricing *struct {
		Billable     bool   `json:"billable"`
		PricingModel string `json:"pricing_model"`
		Category     string `json:"category"`
	} `json:"pricing"`
	Errors []graph.Error `json:"errors"`
}

// parser maps one WhatsApp number's webhooks.
type parser struct {
	channelID     int64
	phoneNumberID string
	wabaID        string
}

func (p *parser) parse(body []byte) ([]*parley.InboundEvent, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, parley.WrapError(parley.EINVALID, err, "whatsapp: malformed webhook")
	}
	if env.Object != "whatsapp_business_account" {
		return nil, parley.Errorf(parley.EINVALID, "whatsapp: webhook object %q, want whatsapp_business_account", env.Object)
	}
	var out []*parley.InboundEvent
	for _, e := range env.Entry {
		if p.wabaID != "" && e.ID.String() != p.wabaID {
			continue
		}
		for i := range e.Changes {
			c := &e.Changes[i]
			if c.Value.Metadata.PhoneNumberID != "" && c.Value.Metadata.PhoneNumberID.String() != p.phoneNumberID {
				continue // another number of the same WABA
			}
			switch c.Field {
			case "messages":
				out = append(out, p.messages(&c.Value)...)
			case "smb_message_echoes":
				out = append(out, p.echoes(&c.Value)...)
			}
		}
	}
	return graph.Usable(out), nil
}

func (p *parser) messages(v *value) []*parley.InboundEvent {
	var out []*parley.InboundEvent
	names := map[string]string{}
	for _, c := range v.Contacts {
		id := c.WaID.String()
		if id == "" {
			id = c.UserID
		}
		names[id] = c.Profile.Name
	}
	for i := range v.Messages {
		m := &v.Messages[i]
		id := m.From.String()
		if id == "" {
			id = m.FromUserID
		}
		if id == "" {
			continue
		}
		s := sender(id, m.From.String() != "")
		s.Name = names[id]
		if in := p.message(m, s); in != nil {
			out = append(out, in)
		}
	}
	for i := range v.Statuses {
		if in := p.status(&v.Statuses[i]); in != nil {
			out = append(out, in)
		}
	}
	return out
}

func (p *parser) echoes(v *value) []*parley.InboundEvent {
	var out []*parley.InboundEvent
	for i := range v.MessageEchoes {
		m := &v.MessageEchoes[i]
		if m.To.String() == "" {
			continue
		}
		in := p.message(m, sender(m.To.String(), true))
		if in != nil {
			in.Direction = parley.DirectionOut
			out = append(out, in)
		}
	}
	return out
}

// sender is the customer: a wa_id is a verified phone number too; a
// business-scoped user id (BSUID) without a phone is only a WhatsApp id.
func sender(id string, isPhone bool) parley.Sender {
	s := parley.Sender{Kind: parley.IdentityWhatsApp, ID: id, Verified: true}
	if isPhone && isDigits(id) {
		s.Extra = []parley.Identity{{Kind: parley.IdentityPhone, Value: "+" + id, Verified: true}}
	}
	return s
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (p *parser) status(st *status) *parley.InboundEvent {
	if st.ID == "" {
		return nil
	}
	customer := st.RecipientID.String()
	isPhone := customer != ""
	if customer == "" {
		customer = st.RecipientUserID
	}
	in := &parley.InboundEvent{
		Kind: parley.InboundReceipt, ChannelID: p.channelID, Platform: parley.PlatformWhatsApp,
		ExternalID: st.ID + ":" + st.Status, Sender: sender(customer, isPhone), Direction: parley.DirectionOut,
		Timestamp: st.Timestamp.Time, Targets: []string{st.ID},
	}
	switch st.Status {
	case "sent":
		in.Status = parley.MessageSent
	case "delivered":
		in.Status = parley.MessageDelivered
	case "read", "played":
		in.Status = parley.MessageRead
	case "failed":
		in.Status = parley.MessageFailed
		if len(st.Errors) > 0 {
			e := &st.Errors[0]
			in.FailureCode, in.FailureReason = strconv.Itoa(e.Code), e.Reason()
		}
	default:
		return nil
	}
	setMeta(in, "biz_opaque_callback_data", st.BizOpaqueCallbackData)
	if st.Conversation != nil {
		setMeta(in, "conversation_id", st.Conversation.ID)
		setMeta(in, "conversation_origin", st.Conversation.Origin.Type)
	}
	if st.Pricing != nil {
		setMeta(in, "pricing_category", st.Pricing.Category)
	}
	return in
}

func (p *parser) message(m *inMessage, s parley.Sender) *parley.InboundEvent {
	in := &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: p.channelID, Platform: parley.PlatformWhatsApp,
		ExternalID: m.ID, Sender: s, Direction: parley.DirectionIn, Timestamp: m.Timestamp.Time,
	}
	if m.Context != nil {
		in.ReplyTo = m.Context.ID
		if m.Context.Forwarded {
			setMeta(in, "forwarded", "true")
		}
	}
	if m.Referral != nil {
		r := m.Referral
		setMeta(in, "referral_source_url", r.SourceURL)
		setMeta(in, "referral_source_id", r.SourceID)
		setMeta(in, "referral_source_type", r.SourceType)
		setMeta(in, "referral_headline", r.Headline)
		setMeta(in, "referral_body", r.Body)
		setMeta(in, "referral_ctwa_clid", r.CtwaClid)
	}
	if !p.content(m, in) {
		return nil
	}
	return in
}

// content fills in what the message type carries; false drops the message.
func (p *parser) content(m *inMessage, in *parley.InboundEvent) bool {
	switch m.Type {
	case "text":
		if m.Text != nil {
			in.Text = m.Text.Body
		}
	case "image", "audio", "video", "document", "sticker":
		p.media(m, in)
	case "reaction":
		return p.reaction(m, in)
	case "location":
		if l := m.Location; l != nil {
			in.Attachments = []parley.Attachment{{Type: "location", URL: mapLink(l.Latitude, l.Longitude), Caption: strings.TrimSpace(l.Name + " " + l.Address)}}
			setMeta(in, "latitude", formatCoord(l.Latitude))
			setMeta(in, "longitude", formatCoord(l.Longitude))
		}
	case "interactive":
		p.interactive(m, in)
	case "button":
		if m.Button != nil {
			in.Text = m.Button.Text
			setMeta(in, "payload", m.Button.Payload)
			setMeta(in, "payload_source", "template_button")
		}
	case "edit":
		return p.edit(m, in)
	case "revoke":
		return p.revoke(m, in)
	default: // unsupported, contacts, order, system…: keep a visible trace
		reason := m.Type
		if len(m.Errors) > 0 {
			reason = strconv.Itoa(m.Errors[0].Code) + ": " + m.Errors[0].Reason()
		}
		setMeta(in, "unsupported", reason)
		setMeta(in, "type", m.Type)
	}
	return true
}

func (p *parser) media(m *inMessage, in *parley.InboundEvent) {
	md := m.mediaOf()
	if md == nil {
		setMeta(in, "unsupported", m.Type+" without its object")
		return
	}
	in.Text = md.Caption
	in.Attachments = []parley.Attachment{mediaAttachment(m.Type, md)}
	if md.Voice {
		setMeta(in, "voice", "true")
	}
}

// reaction: an empty emoji removes the reaction.
func (p *parser) reaction(m *inMessage, in *parley.InboundEvent) bool {
	if m.Reaction == nil || m.Reaction.MessageID == "" {
		return false
	}
	in.Kind, in.ReplyTo, in.Text = parley.InboundReaction, m.Reaction.MessageID, m.Reaction.Emoji
	action := "react"
	if m.Reaction.Emoji == "" {
		action = "unreact"
	}
	setMeta(in, "action", action)
	return true
}

// edit carries the new content of the original message.
func (p *parser) edit(m *inMessage, in *parley.InboundEvent) bool {
	if m.Edit == nil || m.Edit.OriginalMessageID == "" {
		return false
	}
	var inner inMessage
	if json.Unmarshal(m.Edit.Message, &inner) == nil && inner.Type != "edit" && inner.Type != "revoke" {
		if inner.Type == "" && inner.Text != nil {
			inner.Type = "text"
		}
		p.content(&inner, in)
	}
	in.Kind, in.Targets = parley.InboundEdit, []string{m.Edit.OriginalMessageID}
	in.ReplyTo = m.Edit.OriginalMessageID // the message changed (see package doc)
	in.ExternalID = editEventID(m.ID, m.Edit.OriginalMessageID, "edit")
	setMeta(in, "edit_id", m.ID)
	return true
}

func (p *parser) revoke(m *inMessage, in *parley.InboundEvent) bool {
	if m.Revoke == nil || m.Revoke.OriginalMessageID == "" {
		return false
	}
	in.Kind, in.Targets = parley.InboundDelete, []string{m.Revoke.OriginalMessageID}
	in.ReplyTo = m.Revoke.OriginalMessageID
	in.ExternalID = editEventID(m.ID, m.Revoke.OriginalMessageID, "delete")
	setMeta(in, "revoke_id", m.ID)
	return true
}

// editEventID is the id of an edit or revoke event: its own wamid, or the
// original's with a suffix when Meta sent none.
func editEventID(own, original, what string) string {
	if own != "" {
		return own
	}
	return original + "#" + what
}

func (p *parser) interactive(m *inMessage, in *parley.InboundEvent) {
	it := m.Interactive
	if it == nil {
		return
	}
	switch {
	case it.ButtonReply != nil:
		in.Text = it.ButtonReply.Title
		setMeta(in, "payload", it.ButtonReply.ID)
		setMeta(in, "payload_source", "button_reply")
	case it.ListReply != nil:
		in.Text = it.ListReply.Title
		setMeta(in, "payload", it.ListReply.ID)
		setMeta(in, "payload_source", "list_reply")
		setMeta(in, "list_description", it.ListReply.Description)
	default:
		setMeta(in, "unsupported", "interactive "+it.Type)
	}
}

func (m *inMessage) mediaOf() *media {
	switch m.Type {
	case "image":
		return m.Image
	case "audio":
		return m.Audio
	case "video":
		return m.Video
	case "document":
		return m.Document
	case "sticker":
		return m.Sticker
	}
	return nil
}

func mediaAttachment(typ string, md *media) parley.Attachment {
	if typ == "document" {
		typ = "file"
	}
	return parley.Attachment{Type: typ, ContentType: md.MimeType, Filename: md.Filename, URL: md.URL, PlatformID: md.ID, Caption: md.Caption}
}

func mapLink(lat, long float64) string {
	return "https://www.google.com/maps/search/?api=1&query=" + formatCoord(lat) + "," + formatCoord(long)
}

func formatCoord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func setMeta(in *parley.InboundEvent, k, v string) {
	if v == "" {
		return
	}
	if in.Metadata == nil {
		in.Metadata = map[string]string{}
	}
	in.Metadata[k] = v
}
