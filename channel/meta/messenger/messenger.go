// Package messenger is the Facebook Messenger channel adapter
// (parley.PlatformMessenger, PLATFORMS.md §1). Register New with the channel
// registry. Config: page_id (required) and the shared Meta keys documented
// in package graph; secrets app_secret, verify_token, access_token (a Page
// token). Webhook "changes" (the page feed) are left to the Facebook
// comments channel.
package messenger

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/channel/meta/messaging"
)

// Adapter speaks to one Facebook Page's Messenger inbox.
type Adapter struct {
	Settings graph.Settings
	Client   *graph.Client
	Clock    parley.Clock
	parser   *messaging.Parser
}

var (
	_ parley.Adapter          = (*Adapter)(nil)
	_ parley.Handshaker       = (*Adapter)(nil)
	_ parley.WebhookResponder = (*Adapter)(nil)
	_ parley.AdapterFactory   = New
)

// New builds the adapter of a Messenger channel.
func New(ch *parley.Channel) (parley.Adapter, error) {
	s, err := graph.LoadSettings(ch, "page_id")
	if err != nil {
		return nil, err
	}
	return &Adapter{
		Settings: s, Client: s.Client(), Clock: parley.SystemClock{},
		parser: &messaging.Parser{ChannelID: ch.ID, Platform: parley.PlatformMessenger, Object: "page",
			AccountID: s.AccountID, Kind: parley.IdentityMessenger},
	}, nil
}

// Platform is Messenger.
func (a *Adapter) Platform() parley.Platform { return parley.PlatformMessenger }

// Capabilities of Messenger; the tag window shows only when the channel
// enables HUMAN_AGENT.
func (a *Adapter) Capabilities() parley.Capabilities {
	l := a.limits()
	c := parley.Capabilities{
		TextLimit: l.Text, Split: true, Media: l.MediaTypes, MaxMediaBytes: 25 << 20, // 25 MB: UNVERIFIED for Messenger
		QuickReplies: l.QuickReplies, Buttons: l.Buttons, ReplyWindow: graph.StandardWindow,
		Receipts: true, Typing: true,
	}
	if a.Settings.HumanAgent {
		c.TagWindow = graph.HumanAgentWindow
	}
	return c
}

// VerifyWebhook checks X-Hub-Signature-256.
func (a *Adapter) VerifyWebhook(r *http.Request, body []byte) error {
	return graph.VerifyRequest(a.Settings.AppSecret, r, body)
}

// Handshake answers the hub.challenge GET.
func (a *Adapter) Handshake(w http.ResponseWriter, r *http.Request) bool {
	return graph.Handshake(w, r, a.Settings.VerifyToken)
}

// RespondWebhook answers Meta like its samples do.
func (a *Adapter) RespondWebhook(w http.ResponseWriter) { graph.RespondEventReceived(w) }

// ParseWebhook maps the page's messaging and standby events.
func (a *Adapter) ParseWebhook(body []byte) ([]*parley.InboundEvent, error) {
	return a.parser.Parse(body)
}

// Send delivers a reply through POST /{page-id}/messages.
func (a *Adapter) Send(ctx context.Context, m parley.OutboundMessage) (parley.SendResult, error) {
	return messaging.SendDirect(ctx, a.Client, a.messagesPath(), m, a.limits(), a.Settings.HumanAgent, a.now())
}

// MarkRead shows the customer their messages as seen (sender_action mark_seen).
func (a *Adapter) MarkRead(ctx context.Context, recipient *parley.Identity, _ string) error {
	if recipient == nil {
		return graph.Refuse("no_recipient", "no recipient to mark as seen")
	}
	return messaging.MarkSeen(ctx, a.Client, a.messagesPath(), recipient.Value)
}

// FetchMedia downloads an attachment from Meta's CDN (allow-listed hosts,
// size-limited).
func (a *Adapter) FetchMedia(ctx context.Context, att parley.Attachment) (io.ReadCloser, string, error) {
	return a.Settings.Media().Fetch(ctx, att.URL, "")
}

func (a *Adapter) limits() messaging.Limits {
	return messaging.MessengerLimits.WithText(a.Settings.TextLimit)
}

func (a *Adapter) messagesPath() string { return "/" + a.Settings.AccountID + "/messages" }

func (a *Adapter) now() time.Time {
	if a.Clock == nil {
		return time.Now().UTC()
	}
	return a.Clock.Now()
}
