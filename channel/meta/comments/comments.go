// Package comments is the Facebook Page comments channel adapter
// (parley.PlatformFacebookComments, PLATFORMS.md §2) and the comment parsing
// and replying that Instagram shares. Register New with the channel
// registry. Config: page_id (required) and the shared Meta keys documented
// in package graph; secrets app_secret, verify_token, access_token (a Page
// token).
//
// Inbound: every comment change of the page feed. One ticket per top-level
// comment thread: ThreadKey = the top-level comment id (parent_id ==
// post_id means top-level; a reply joins its parent's thread with ReplyTo).
// Metadata carries comment_id, post_id, parent_id, post_link, post_text and
// action. Verbs: add → message; edited → edit; remove → delete; hide →
// delete (action hide); unhide → edit (action unhide). The page's own
// comments are Direction out with the page as Sender (the webhook does not
// say whose thread it is beyond ThreadKey). Edits and deletes name the
// comment in ReplyTo and Targets and carry an id of their own
// ("<comment>#<action>:<entry time>[:<text hash>]") as ExternalID. Messenger events of the same
// webhook are left to the Messenger channel.
//
// Outbound: Message.Metadata["reply_mode"] = "public" (default: POST
// /{comment-id}/comments) or "private" (POST /{page-id}/messages with
// recipient.comment_id: one message within 7 days of the comment, which
// opens a Messenger conversation). The comment answered is the message's
// ReplyToID, else metadata comment_id, else the thread's top-level comment.
package comments

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/channel/meta/messaging"
)

// FacebookCommentLimit bounds a public comment reply. UNVERIFIED: Meta
// documents no figure we could confirm; the text_limit config overrides it.
const FacebookCommentLimit = 8000

// Adapter speaks to one Facebook Page's comment threads.
type Adapter struct {
	Settings graph.Settings
	Client   *graph.Client
	Clock    parley.Clock
	decoder  *messaging.Parser
	feed     *FeedParser
}

var (
	_ parley.Adapter          = (*Adapter)(nil)
	_ parley.Handshaker       = (*Adapter)(nil)
	_ parley.WebhookResponder = (*Adapter)(nil)
	_ parley.ContextFetcher   = (*Adapter)(nil)
	_ parley.AdapterFactory   = New
)

// New builds the adapter of a Facebook comments channel.
func New(ch *parley.Channel) (parley.Adapter, error) {
	s, err := graph.LoadSettings(ch, "page_id")
	if err != nil {
		return nil, err
	}
	return &Adapter{
		Settings: s, Client: s.Client(), Clock: parley.SystemClock{},
		decoder: &messaging.Parser{ChannelID: ch.ID, Platform: parley.PlatformFacebookComments, Object: "page", AccountID: s.AccountID},
		feed:    &FeedParser{ChannelID: ch.ID, PageID: s.AccountID},
	}, nil
}

// Platform is Facebook comments.
func (a *Adapter) Platform() parley.Platform { return parley.PlatformFacebookComments }

// Capabilities of page comments: threaded, no reply window for public
// replies, one image per reply.
func (a *Adapter) Capabilities() parley.Capabilities {
	return parley.Capabilities{TextLimit: a.textLimit(), Media: []string{"image"}, Threading: true}
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

// ParseWebhook maps the page's feed comment changes.
func (a *Adapter) ParseWebhook(body []byte) ([]*parley.InboundEvent, error) {
	env, err := a.decoder.Decode(body)
	if err != nil {
		return nil, err
	}
	return graph.Usable(a.feed.Events(env)), nil
}

// Send replies to a comment thread, publicly or privately (reply_mode).
func (a *Adapter) Send(ctx context.Context, m parley.OutboundMessage) (parley.SendResult, error) {
	return Reply(ctx, a.Client, m, "comments", "/"+a.Settings.AccountID+"/messages",
		messaging.MessengerLimits.WithText(a.Settings.TextLimit), a.textLimit(), true, a.now())
}

// FetchMedia downloads a comment's photo or video from Meta's CDN.
func (a *Adapter) FetchMedia(ctx context.Context, att parley.Attachment) (io.ReadCloser, string, error) {
	return a.Settings.Media().Fetch(ctx, att.URL, "")
}

func (a *Adapter) textLimit() int {
	if a.Settings.TextLimit > 0 {
		return a.Settings.TextLimit
	}
	return FacebookCommentLimit
}

func (a *Adapter) now() time.Time {
	if a.Clock == nil {
		return time.Now().UTC()
	}
	return a.Clock.Now()
}
