// Package whatsapp is the WhatsApp Business Cloud API channel adapter
// (parley.PlatformWhatsApp, PLATFORMS.md §4). Register New with the channel
// registry. Config: phone_number_id (required), waba_id (recommended: the
// webhook entry id; entries of other WABAs are skipped) and the shared Meta
// keys documented in package graph; secrets app_secret, verify_token,
// access_token (a system-user token, sent as a Bearer header).
//
// Inbound: messages of every type (text, media, location, reactions, reply
// and list buttons, template buttons, edits, revokes, unsupported),
// statuses (sent, delivered, read/played, failed with Meta's code and
// reason, e.g. 131047 or 131026 arriving asynchronously) and coexistence
// echoes (smb_message_echoes → Direction out). Edits and revokes name the
// changed message in ReplyTo and Targets and carry their own wamid as
// ExternalID; receipts use "<wamid>:<status>" so that sent, delivered and
// read of one message are three events. The sender is the wa_id as a
// verified WhatsApp identity plus a verified E.164 phone identity (a
// business-scoped user id without a phone is only a WhatsApp identity).
// Value-level "errors" (about the account, not a message) are not ticket
// events and are skipped, as are changes for other phone numbers.
package whatsapp

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// Adapter speaks to one WhatsApp business number.
type Adapter struct {
	Settings graph.Settings
	Client   *graph.Client
	Clock    parley.Clock
	parser   *parser
}

var (
	_ parley.Adapter        = (*Adapter)(nil)
	_ parley.Handshaker     = (*Adapter)(nil)
	_ parley.AdapterFactory = New
)

// New builds the adapter of a WhatsApp channel.
func New(ch *parley.Channel) (parley.Adapter, error) {
	s, err := graph.LoadSettings(ch, "phone_number_id")
	if err != nil {
		return nil, err
	}
	c := s.Client()
	c.Auth = graph.AuthBearer
	return &Adapter{Settings: s, Client: c, Clock: parley.SystemClock{},
		parser: &parser{channelID: ch.ID, phoneNumberID: s.AccountID, wabaID: s.WABAID}}, nil
}

// Platform is WhatsApp.
func (a *Adapter) Platform() parley.Platform { return parley.PlatformWhatsApp }

// Capabilities of the Cloud API: free-form replies within 24 h, approved
// templates at any time.
func (a *Adapter) Capabilities() parley.Capabilities {
	return parley.Capabilities{
		TextLimit: TextLimit, Split: true, Media: []string{"image", "audio", "video", "file", "sticker"},
		MaxMediaBytes: 100 << 20, Buttons: MaxButtons, ReplyWindow: graph.StandardWindow,
		Templates: true, Receipts: true,
	}
}

// VerifyWebhook checks X-Hub-Signature-256.
func (a *Adapter) VerifyWebhook(r *http.Request, body []byte) error {
	return graph.VerifyRequest(a.Settings.AppSecret, r, body)
}

// Handshake answers the hub.challenge GET.
func (a *Adapter) Handshake(w http.ResponseWriter, r *http.Request) bool {
	return graph.Handshake(w, r, a.Settings.VerifyToken)
}

// ParseWebhook maps messages, statuses and echoes of this number.
func (a *Adapter) ParseWebhook(body []byte) ([]*parley.InboundEvent, error) {
	return a.parser.parse(body)
}

// Send delivers a message through POST /{phone-number-id}/messages. Outside
// 24 h of the customer's last message only templates (KindTemplate with
// template_name/template_language/template_params metadata) are sent.
func (a *Adapter) Send(ctx context.Context, m parley.OutboundMessage) (parley.SendResult, error) {
	to := recipient(m.Recipient)
	if to == "" {
		return parley.SendResult{}, graph.Refuse("no_recipient", "no WhatsApp number for this conversation")
	}
	if m.Message == nil {
		return parley.SendResult{}, graph.Refuse("invalid_message", "no message to send")
	}
	if m.Message.Kind != parley.KindTemplate {
		var last *time.Time
		if m.Conversation != nil {
			last = m.Conversation.LastInboundAt
		}
		if !graph.WithinWindow(last, a.now(), graph.StandardWindow) {
			return parley.SendResult{}, graph.WindowClosedError("WhatsApp allows free-form replies only within 24 hours of the customer's last message; send an approved template")
		}
	}
	req, err := buildRequest(to, m.Message)
	if err != nil {
		return parley.SendResult{}, err
	}
	var resp SendResponse
	if err := a.Client.PostJSON(ctx, a.messagesPath(), req, &resp); err != nil {
		return parley.SendResult{}, graph.Classify(err)
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		return parley.SendResult{}, &parley.SendError{Class: parley.SendTransient, Reason: "WhatsApp answered without a message id"}
	}
	return parley.SendResult{ExternalID: resp.Messages[0].ID, Status: parley.MessageSent}, nil
}

// MarkRead marks the customer's message read (blue ticks).
func (a *Adapter) MarkRead(ctx context.Context, _ *parley.Identity, messageID string) error {
	if messageID == "" {
		return graph.Refuse("no_message", "no message to mark as read")
	}
	req := &SendRequest{MessagingProduct: "whatsapp", Status: "read", MessageID: messageID}
	if err := a.Client.PostJSON(ctx, a.messagesPath(), req, nil); err != nil {
		return graph.Classify(err)
	}
	return nil
}

// MediaInfo is GET /{media-id}.
type MediaInfo struct {
	MessagingProduct string `json:"messaging_product"`
	URL              string `json:"url"`
	MimeType         string `json:"mime_type"`
	SHA256           string `json:"sha256"`
	FileSize         int64  `json:"file_size"`
	ID               string `json:"id"`
}

// FetchMedia downloads a received attachment: GET /{media-id} for its
// short-lived URL, then the bytes with the same Bearer token, from allowed
// hosts only and within the size limit.
func (a *Adapter) FetchMedia(ctx context.Context, att parley.Attachment) (io.ReadCloser, string, error) {
	url := att.URL
	if att.PlatformID != "" {
		var info MediaInfo
		if err := a.Client.Get(ctx, "/"+att.PlatformID, &info); err != nil {
			return nil, "", mediaError(err)
		}
		if info.FileSize > a.Settings.MediaMaxBytes {
			return nil, "", parley.Errorf(parley.ETOOLARGE, "whatsapp: media is %d bytes, limit %d", info.FileSize, a.Settings.MediaMaxBytes)
		}
		url = info.URL
		if att.ContentType == "" {
			att.ContentType = info.MimeType
		}
	}
	if url == "" {
		return nil, "", parley.Errorf(parley.EINVALID, "whatsapp: attachment has no media id or URL")
	}
	body, ct, err := a.Settings.Media().Fetch(ctx, url, a.Settings.AccessToken)
	if err != nil {
		return nil, "", err
	}
	if ct == "" || strings.HasPrefix(ct, "application/octet-stream") && att.ContentType != "" {
		ct = att.ContentType
	}
	return body, ct, nil
}

func mediaError(err error) error {
	se := graph.Classify(err)
	code := parley.EUNAVAILABLE
	switch se.Class {
	case parley.SendPermanent:
		code = parley.ENOTFOUND
	case parley.SendAuth:
		code = parley.EUNAUTHORIZED
	case parley.SendRateLimited:
		code = parley.ERATELIMITED
	}
	return parley.WrapError(code, err, "whatsapp: media lookup failed: %s", se.Reason)
}

// recipient is the "to" of a send: the wa_id digits, from a WhatsApp or a
// phone identity.
func recipient(id *parley.Identity) string {
	if id == nil {
		return ""
	}
	return strings.TrimPrefix(strings.TrimSpace(id.Value), "+")
}

func (a *Adapter) messagesPath() string { return "/" + a.Settings.AccountID + "/messages" }

func (a *Adapter) now() time.Time {
	if a.Clock == nil {
		return time.Now().UTC()
	}
	return a.Clock.Now()
}
