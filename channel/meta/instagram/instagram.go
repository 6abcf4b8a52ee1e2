// Package instagram is the Instagram Direct and comments channel adapter
// (parley.PlatformInstagram, PLATFORMS.md §3). Register New with the
// channel registry. Config: ig_account_id (required) and the shared Meta
// keys documented in package graph; secrets app_secret, verify_token,
// access_token.
//
// Two login flavours: with Facebook Login (default graph_base_url
// https://graph.facebook.com, a Page token) messages go to POST
// /me/messages?access_token=…; with Instagram Login (graph_base_url
// https://graph.instagram.com, an Instagram user token) they go to POST
// /{ig_account_id}/messages with a Bearer token (partially verified). Config
// instagram_login=true selects the second flavour on any base URL.
//
// Direct messages use the Messenger shapes (package messaging) with IGSIDs
// as IdentityInstagram; comments and live comments are threads of their
// own (ThreadKey = top-level comment id, see package comments). Replies in a
// comment thread are public (POST /{comment-id}/replies) or private
// (recipient.comment_id, within 7 days) per Message.Metadata["reply_mode"].
package instagram

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/comments"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/channel/meta/messaging"
)

// CommentLimit bounds a public comment reply: Instagram's 2,200 characters.
// UNVERIFIED (not in the retrieved docs); text_limit does not change it.
const CommentLimit = 2200

// Adapter speaks to one Instagram professional account.
type Adapter struct {
	Settings graph.Settings
	Client   *graph.Client
	Clock    parley.Clock
	dm       *messaging.Parser
	comments *comments.InstagramParser
	igLogin  bool
}

var (
	_ parley.Adapter          = (*Adapter)(nil)
	_ parley.Handshaker       = (*Adapter)(nil)
	_ parley.WebhookResponder = (*Adapter)(nil)
	_ parley.ContextFetcher   = (*Adapter)(nil)
	_ parley.AdapterFactory   = New
)

// New builds the adapter of an Instagram channel.
func New(ch *parley.Channel) (parley.Adapter, error) {
	s, err := graph.LoadSettings(ch, "ig_account_id")
	if err != nil {
		return nil, err
	}
	c := s.Client()
	u, _ := url.Parse(s.BaseURL)
	igLogin := ch.Config["instagram_login"] == "true" || (u != nil && u.Hostname() == "graph.instagram.com")
	if igLogin {
		c.Auth = graph.AuthBearer
	}
	return &Adapter{
		Settings: s, Client: c, Clock: parley.SystemClock{}, igLogin: igLogin,
		dm: &messaging.Parser{ChannelID: ch.ID, Platform: parley.PlatformInstagram, Object: "instagram",
			AccountID: s.AccountID, Kind: parley.IdentityInstagram},
		comments: &comments.InstagramParser{ChannelID: ch.ID, AccountID: s.AccountID},
	}, nil
}

// FetchContext fetches the caption and link of the media a new comment is
// on; direct messages have none.
func (a *Adapter) FetchContext(ctx context.Context, m *parley.Message) (map[string]string, error) {
	return comments.FetchInstagramContext(ctx, a.Client, m)
}

// Platform is Instagram.
func (a *Adapter) Platform() parley.Platform { return parley.PlatformInstagram }

// Capabilities of Instagram Direct (text counted in UTF-8 bytes).
func (a *Adapter) Capabilities() parley.Capabilities {
	l := a.limits()
	c := parley.Capabilities{
		TextLimit: l.Text, TextLimitBytes: true, Split: true, Media: l.MediaTypes,
		MaxMediaBytes: 25 << 20, QuickReplies: l.QuickReplies, ReplyWindow: graph.StandardWindow,
		Receipts: true, Threading: true,
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

// ParseWebhook maps direct messages and comments of this account.
func (a *Adapter) ParseWebhook(body []byte) ([]*parley.InboundEvent, error) {
	env, err := a.dm.Decode(body)
	if err != nil {
		return nil, err
	}
	return graph.Usable(append(a.dm.Events(env), a.comments.Events(env)...)), nil
}

// Send replies in a comment thread (conversation with a ThreadKey) or as a
// direct message.
func (a *Adapter) Send(ctx context.Context, m parley.OutboundMessage) (parley.SendResult, error) {
	if m.Conversation != nil && m.Conversation.ThreadKey != "" {
		return comments.Reply(ctx, a.Client, m, "replies", a.messagesPath(), a.limits(), CommentLimit, false, a.now())
	}
	return messaging.SendDirect(ctx, a.Client, a.messagesPath(), m, a.limits(), a.Settings.HumanAgent, a.now())
}

// MarkRead marks the customer's messages seen.
func (a *Adapter) MarkRead(ctx context.Context, recipient *parley.Identity, _ string) error {
	if recipient == nil {
		return graph.Refuse("no_recipient", "no recipient to mark as seen")
	}
	return messaging.MarkSeen(ctx, a.Client, a.messagesPath(), recipient.Value)
}

// FetchMedia downloads an attachment from Instagram's CDN.
func (a *Adapter) FetchMedia(ctx context.Context, att parley.Attachment) (io.ReadCloser, string, error) {
	return a.Settings.Media().Fetch(ctx, att.URL, "")
}

func (a *Adapter) limits() messaging.Limits {
	return messaging.InstagramLimits.WithText(a.Settings.TextLimit)
}

func (a *Adapter) messagesPath() string {
	if a.igLogin {
		return "/" + a.Settings.AccountID + "/messages"
	}
	return "/me/messages"
}

func (a *Adapter) now() time.Time {
	if a.Clock == nil {
		return time.Now().UTC()
	}
	return a.Clock.Now()
}
