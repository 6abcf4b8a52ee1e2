// Package widget is the website chat channel: a <script> snippet puts a
// chat window on any site, visitors talk to agents over a WebSocket, and
// agents answer from the same inbox as every other channel.
//
// Two pieces, wired by the app:
//
//	registry.Register(parley.PlatformWidget, widget.New)   // the adapter (outbound)
//	h, err := widget.NewHandler(widget.Config{...})        // everything under /widget/
//	err = h.Start(ctx)                                     // subscribe to events and presence
//	mux.Handle("/widget/", h)
//	on shutdown: h.Close()
//
// Visitor messages are published to the durable inbound stream exactly
// like webhooks (acknowledged only once stored), as events from a
// parley.IdentityWidget identity scoped to the channel. Agent replies go
// through the normal outbound pipeline: the adapter's Send records them as
// sent, and every node pushes them to the visitor's socket when the domain
// event arrives; the visitor's widget then sends delivery and read receipts.
package widget

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley"
)

// Channel secret and configuration keys. Everything but the secret is
// public: it is served to every visitor by the config endpoint.
const (
	// SecretIdentity signs visitor tokens and lets the host site vouch
	// for a signed-in user: hex(HMAC-SHA256(secret, user id)).
	SecretIdentity = "identity_secret"

	ConfigColor         = "color"          // "#RRGGBB" accent colour
	ConfigPosition      = "position"       // "right" (default) or "left"
	ConfigTitle         = "title"          // header title; default the channel name
	ConfigGreeting      = "greeting"       // first bubble shown to every visitor
	ConfigGreetingZH    = "greeting_zh-CN" // the greeting in Chinese, when the locale is zh-CN
	ConfigLocale        = "locale"         // "en", "zh-CN" or "auto" (browser language; default)
	ConfigPrechat       = "prechat_fields" // e.g. "name,email*" (* = required)
	ConfigBusinessHours = "business_hours" // e.g. "mon-fri 09:00-18:00; sat 10:00-14:00"
	ConfigTimezone      = "timezone"       // IANA zone of the business hours, default UTC
	ConfigOrigins       = "allowed_origins"
	ConfigUploadTypes   = "upload_types"     // comma-separated MIME types or type/* patterns
	ConfigUploadMax     = "upload_max_bytes" // default DefaultUploadMax
)

// MinSecretLength is the shortest identity secret accepted: shorter ones
// can be brute-forced offline from one signed user id.
const MinSecretLength = 16

// TextLimit is the longest message, in characters, either side sends.
const TextLimit = 8000

// Adapter is the widget channel's parley.Adapter. Messages reach the
// visitor through the widget's own sockets, so Send only assigns the
// external id that the visitor's receipts later name.
type Adapter struct {
	channel *parley.Channel
	offline *Handler // set by Handler.NewAdapter: e-mails replies to visitors who left
}

var _ parley.AdapterFactory = New

// PrepareChannel gives a new widget channel an identity secret when the
// admin did not choose one: the widget refuses to run without it, and it
// only matters to sites that sign their users' ids, which can set their
// own later.
func PrepareChannel(ch *parley.Channel) error {
	if ch.Secrets[SecretIdentity] != "" {
		return nil
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "widget channel: generating its identity secret")
	}
	if ch.Secrets == nil {
		ch.Secrets = map[string]string{}
	}
	ch.Secrets[SecretIdentity] = hex.EncodeToString(secret)
	return nil
}

// New builds the adapter of a widget channel. The channel needs an
// identity secret of at least MinSecretLength bytes and a valid
// configuration.
func New(ch *parley.Channel) (parley.Adapter, error) {
	if ch == nil {
		return nil, parley.Errorf(parley.EINVALID, "widget channel: no channel")
	}
	if len(ch.Secrets[SecretIdentity]) < MinSecretLength {
		return nil, parley.Errorf(parley.EINVALID, "widget channel %d needs a %q secret of at least %d characters", ch.ID, SecretIdentity, MinSecretLength)
	}
	if _, err := ParseSettings(ch); err != nil {
		return nil, err
	}
	return &Adapter{channel: ch}, nil
}

// Platform returns parley.PlatformWidget.
func (a *Adapter) Platform() parley.Platform { return parley.PlatformWidget }

// Capabilities: text, files, receipts and typing; no reply window, since
// the conversation is on the customer's own site.
func (a *Adapter) Capabilities() parley.Capabilities {
	s, _ := ParseSettings(a.channel)
	return parley.Capabilities{
		TextLimit: TextLimit, Media: []string{"image", "file"}, MaxMediaBytes: s.UploadMax,
		Receipts: true, Typing: true,
	}
}

// VerifyWebhook refuses every request: visitors talk to /widget/, never
// to /hooks/.
func (a *Adapter) VerifyWebhook(*http.Request, []byte) error {
	return parley.Errorf(parley.EUNSUPPORTED, "the widget channel has no webhook; visitors connect to /widget/")
}

// ParseWebhook refuses every body, for the same reason.
func (a *Adapter) ParseWebhook([]byte) ([]*parley.InboundEvent, error) {
	return nil, parley.Errorf(parley.EUNSUPPORTED, "the widget channel has no webhook")
}

// Send records an agent's reply as sent. The visitor's sockets, on any
// node, push it when the message.updated event arrives; the visitor's
// widget answers with delivered and read receipts. A message to a contact
// without a widget identity on this channel is a permanent failure.
func (a *Adapter) Send(ctx context.Context, m parley.OutboundMessage) (parley.SendResult, error) {
	if m.Message == nil {
		return parley.SendResult{}, &parley.SendError{Class: parley.SendPermanent, Code: "no_message", Reason: "nothing to send"}
	}
	if m.Recipient == nil || m.Recipient.Kind != parley.IdentityWidget || m.Recipient.ScopeChannelID != a.channel.ID {
		return parley.SendResult{}, &parley.SendError{Class: parley.SendPermanent, Code: "no_visitor",
			Reason: "the contact has no visitor on this widget"}
	}
	if len([]rune(m.Message.Body)) > TextLimit {
		return parley.SendResult{}, &parley.SendError{Class: parley.SendPermanent, Code: "too_long",
			Reason: "the reply is longer than " + strconv.Itoa(TextLimit) + " characters"}
	}
	if a.offline != nil {
		if res, handled, err := a.offline.sendOffline(ctx, m); handled {
			if err == nil {
				res = parley.SendResult{ExternalID: outboundExternalID(m.Message.ID), Status: parley.MessageSent}
			}
			return res, err
		}
	}
	return parley.SendResult{ExternalID: outboundExternalID(m.Message.ID), Status: parley.MessageSent}, nil
}

// outboundExternalID is the external id of an agent's reply: stable, so a
// second send of the same message records the same id.
func outboundExternalID(messageID int64) string {
	return "widget-out-" + strconv.FormatInt(messageID, 10)
}
