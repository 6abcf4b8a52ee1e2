package messaging

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// Envelope is a Page or Instagram webhook body.
type Envelope struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry is one account's batch of events.
type Entry struct {
	ID        graph.FlexString `json:"id"`
	Time      graph.FlexTime   `json:"time"`
	Messaging []Event          `json:"messaging"`
	Standby   []Event          `json:"standby"`
	Changes   []Change         `json:"changes"`
}

// Change is one feed or comments change (parsed by package comments).
type Change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// Event is one element of entry.messaging or entry.standby.
type Event struct {
	Sender      party          `json:"sender"`
	Recipient   party          `json:"recipient"`
	Timestamp   graph.FlexTime `json:"timestamp"`
	Message     *message       `json:"message"`
	MessageEdit *struct {
		Mid     string `json:"mid"`
		Text    string `json:"text"`
		NumEdit int    `json:"num_edit"`
	} `json:"message_edit"`
	Delivery *struct {
		Mids      []string       `json:"mids"`
		Watermark graph.FlexTime `json:"watermark"`
	} `json:"delivery"`
	Read *struct {
		Watermark graph.FlexTime `json:"watermark"`
		Mid       string         `json:"mid"`
	} `json:"read"`
	Postback *struct {
		Mid      string    `json:"mid"`
		Title    string    `json:"title"`
		Payload  string    `json:"payload"`
		Referral *referral `json:"referral"`
	} `json:"postback"`
	Referral *referral `json:"referral"`
	Reaction *struct {
		Reaction string `json:"reaction"`
		Emoji    string `json:"emoji"`
		Action   string `json:"action"`
		Mid      string `json:"mid"`
	} `json:"reaction"`
}

type party struct {
	ID graph.FlexString `json:"id"`
}

type message struct {
	Mid           string           `json:"mid"`
	Text          string           `json:"text"`
	IsEcho        bool             `json:"is_echo"`
	AppID         graph.FlexString `json:"app_id"`
	Metadata      string           `json:"metadata"`
	IsDeleted     bool             `json:"is_deleted"`
	IsUnsupported bool             `json:"is_unsupported"`
	QuickReply    *struct {
		Payload string `json:"payload"`
	} `json:"quick_reply"`
	ReplyTo *struct {
		Mid         string `json:"mid"`
		IsSelfReply bool   `json:"is_self_reply"`
		Story       *struct {
			ID  graph.FlexString `json:"id"`
			URL string           `json:"url"`
		} `json:"story"`
	} `json:"reply_to"`
	Attachments []attachment `json:"attachments"`
	Referral    *referral    `json:"referral"`
}

type attachment struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Payload *struct {
		URL         string           `json:"url"`
		Title       string           `json:"title"`
		StickerID   graph.FlexString `json:"sticker_id"`
		Coordinates *struct {
			Lat  float64 `json:"lat"`
			Long float64 `json:"long"`
		} `json:"coordinates"`
	} `json:"payload"`
}

type referral struct {
	Ref        string `json:"ref"`
	Source     string `json:"source"`
	Type       string `json:"type"`
	AdID       string `json:"ad_id"`
	RefererURI string `json:"referer_uri"`
	Product    *struct {
		ID graph.FlexString `json:"id"`
	} `json:"product"`
}

// Parser turns webhook bodies of one account into canonical events.
type Parser struct {
	ChannelID int64
	Platform  parley.Platform
	Object    string // "page" or "instagram"
	AccountID string // the Page or Instagram account id
	Kind      parley.IdentityKind
}

// Decode reads a webhook body; EINVALID when it is not this channel's JSON.
func (p *Parser) Decode(body []byte) (*Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, parley.WrapError(parley.EINVALID, err, "meta: malformed %s webhook", p.Object)
	}
	if env.Object != p.Object {
		return nil, parley.Errorf(parley.EINVALID, "meta: webhook object %q, want %q", env.Object, p.Object)
	}
	return &env, nil
}

// Parse decodes body and maps every messaging and standby event of this
// account's entries. Entries of other accounts and unknown events are skipped.
func (p *Parser) Parse(body []byte) ([]*parley.InboundEvent, error) {
	env, err := p.Decode(body)
	if err != nil {
		return nil, err
	}
	return graph.Usable(p.Events(env)), nil
}

// Events maps the messaging and standby events of env.
func (p *Parser) Events(env *Envelope) []*parley.InboundEvent {
	var out []*parley.InboundEvent
	for _, e := range env.Entry {
		if e.ID.String() != p.AccountID {
			continue
		}
		for i := range e.Messaging {
			out = append(out, p.event(&e.Messaging[i], e.Time.Time, false)...)
		}
		for i := range e.Standby {
			out = append(out, p.event(&e.Standby[i], e.Time.Time, true)...)
		}
	}
	return out
}

// eventCtx is one messaging event being mapped: who the customer is and
// how to start a canonical event for them.
type eventCtx struct {
	p        *Parser
	ev       *Event
	customer string
	echo     bool
	standby  bool
	at       time.Time
	ts       string // the event's timestamp in ms, for synthetic ids
}

func (c *eventCtx) base(kind parley.InboundKind) *parley.InboundEvent {
	in := &parley.InboundEvent{
		Kind: kind, ChannelID: c.p.ChannelID, Platform: c.p.Platform,
		Sender:    parley.Sender{Kind: c.p.Kind, ID: c.customer, Verified: true},
		Direction: parley.DirectionIn, Timestamp: c.at,
	}
	if c.echo {
		in.Direction = parley.DirectionOut
	}
	if c.standby {
		setMeta(in, "standby", "true")
	}
	return in
}

func (p *Parser) event(ev *Event, entryTime time.Time, standby bool) []*parley.InboundEvent {
	c := &eventCtx{p: p, ev: ev, standby: standby, at: ev.Timestamp.Or(entryTime),
		echo: ev.Message != nil && ev.Message.IsEcho || ev.Sender.ID.String() == p.AccountID}
	c.customer = ev.Sender.ID.String()
	if c.echo {
		c.customer = ev.Recipient.ID.String()
	}
	if c.customer == "" {
		return nil
	}
	c.ts = strconv.FormatInt(ev.Timestamp.UnixMilli(), 10)
	var out []*parley.InboundEvent
	if ev.Message != nil {
		out = append(out, p.message(ev.Message, c.base))
	}
	for _, mapped := range []*parley.InboundEvent{c.edit(), c.delivery(), c.read(), c.postback(), c.referral(), c.reaction()} {
		if mapped != nil {
			out = append(out, mapped)
		}
	}
	return out
}

func (c *eventCtx) edit() *parley.InboundEvent {
	e := c.ev.MessageEdit
	if e == nil || e.Mid == "" {
		return nil
	}
	in := c.base(parley.InboundEdit)
	in.ReplyTo, in.Targets, in.Text = e.Mid, []string{e.Mid}, e.Text
	in.ExternalID = e.Mid + "#edit:" + strconv.Itoa(e.NumEdit)
	setMeta(in, "num_edit", strconv.Itoa(e.NumEdit))
	return in
}

func (c *eventCtx) delivery() *parley.InboundEvent {
	d := c.ev.Delivery
	if d == nil {
		return nil
	}
	in := c.base(parley.InboundReceipt)
	in.Status, in.Targets = parley.MessageDelivered, d.Mids
	in.ExternalID = "delivery:" + c.customer + ":" + watermarkKey(d.Watermark, d.Mids)
	if !d.Watermark.IsZero() {
		w := d.Watermark.Time
		in.Watermark = &w
	}
	return in
}

func (c *eventCtx) read() *parley.InboundEvent {
	r := c.ev.Read
	if r == nil {
		return nil
	}
	in := c.base(parley.InboundReceipt)
	in.Status = parley.MessageRead
	if r.Mid != "" {
		in.Targets = []string{r.Mid}
	}
	in.ExternalID = "read:" + c.customer + ":" + watermarkKey(r.Watermark, in.Targets)
	if !r.Watermark.IsZero() {
		w := r.Watermark.Time
		in.Watermark = &w
	}
	return in
}

func (c *eventCtx) postback() *parley.InboundEvent {
	pb := c.ev.Postback
	if pb == nil {
		return nil
	}
	in := c.base(parley.InboundMessage)
	in.ExternalID = pb.Mid
	if in.ExternalID == "" {
		in.ExternalID = "postback:" + c.customer + ":" + c.ts
	}
	in.Text = pb.Title
	setMeta(in, "payload", pb.Payload)
	setMeta(in, "payload_source", "postback")
	addReferral(in, pb.Referral)
	return in
}

func (c *eventCtx) referral() *parley.InboundEvent {
	if c.ev.Referral == nil {
		return nil
	}
	in := c.base(parley.InboundMessage)
	in.ExternalID = "referral:" + c.customer + ":" + c.ts
	setMeta(in, "event", "referral")
	addReferral(in, c.ev.Referral)
	return in
}

func (c *eventCtx) reaction() *parley.InboundEvent {
	r := c.ev.Reaction
	if r == nil || r.Mid == "" {
		return nil
	}
	in := c.base(parley.InboundReaction)
	in.ReplyTo, in.Text = r.Mid, r.Emoji
	in.ExternalID = "reaction:" + r.Mid + ":" + c.customer + ":" + r.Action + ":" + c.ts
	setMeta(in, "reaction", r.Reaction)
	setMeta(in, "action", r.Action)
	return in
}

func (p *Parser) message(m *message, base func(parley.InboundKind) *parley.InboundEvent) *parley.InboundEvent {
	if m.IsDeleted {
		in := base(parley.InboundDelete)
		in.ReplyTo, in.Targets, in.ExternalID = m.Mid, []string{m.Mid}, m.Mid+"#delete"
		return in
	}
	in := base(parley.InboundMessage)
	in.ExternalID, in.Text = m.Mid, m.Text
	in.Attachments = attachments(m.Attachments)
	if m.QuickReply != nil {
		setMeta(in, "payload", m.QuickReply.Payload)
		setMeta(in, "payload_source", "quick_reply")
	}
	if r := m.ReplyTo; r != nil {
		in.ReplyTo = r.Mid
		if r.Story != nil {
			setMeta(in, "reply_to_story_id", r.Story.ID.String())
			setMeta(in, "reply_to_story_url", r.Story.URL)
		}
	}
	if m.IsEcho {
		setMeta(in, "echo_app_id", m.AppID.String())
		setMeta(in, "echo_metadata", m.Metadata)
	}
	if m.IsUnsupported {
		setMeta(in, "unsupported", "true")
	}
	addReferral(in, m.Referral)
	for _, a := range m.Attachments {
		if a.Payload != nil && a.Payload.Coordinates != nil {
			setMeta(in, "latitude", formatCoord(a.Payload.Coordinates.Lat))
			setMeta(in, "longitude", formatCoord(a.Payload.Coordinates.Long))
		}
	}
	return in
}

func addReferral(in *parley.InboundEvent, r *referral) {
	if r == nil {
		return
	}
	setMeta(in, "referral_ref", r.Ref)
	setMeta(in, "referral_source", r.Source)
	setMeta(in, "referral_type", r.Type)
	setMeta(in, "referral_ad_id", r.AdID)
	setMeta(in, "referral_referer_uri", r.RefererURI)
	if r.Product != nil {
		setMeta(in, "referral_product_id", r.Product.ID.String())
	}
}

// watermarkKey names a receipt for de-duplication.
func watermarkKey(w graph.FlexTime, mids []string) string {
	if !w.IsZero() {
		return strconv.FormatInt(w.UnixMilli(), 10)
	}
	return strings.Join(mids, ",")
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
