// Package api is the API channel: any system that can sign an HTTP request
// can act as a Parley channel. Inbound, it POSTs signed batches of messages
// and delivery receipts to /hooks/api/{channelID}; outbound, Parley POSTs
// signed replies and status changes to the channel's webhook_url.
//
// Wire it with channel.Registry.Register(parley.PlatformAPI, api.New) and
// run a Dispatcher on one or more nodes for the status webhooks.
package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/parleyhq/parley"
)

// Channel configuration and secret keys.
const (
	SecretKey             = "secret"           // ch.Secrets: the shared HMAC secret, both directions
	ConfigWebhookURL      = "webhook_url"      // ch.Config: where replies and status changes are POSTed
	ConfigTrustIdentities = "trust_identities" // ch.Config: "true" marks contact e-mail/phone as verified
)

// TextLimit is the longest reply, in characters, the channel sends.
const TextLimit = 65536

// DefaultTimeout bounds one outbound POST when the caller sets no deadline.
const DefaultTimeout = 10 * time.Second

// Options tune an Adapter. The zero value is production: the system clock
// and a client with DefaultTimeout that does not follow redirects.
type Options struct {
	Clock   parley.Clock // decides the replay window and default timestamps
	Client  *http.Client // sends outbound webhooks
	Timeout time.Duration
}

// Adapter is the API channel's parley.Adapter. It holds only the channel's
// configuration, so any node can build one.
type Adapter struct {
	channel    *parley.Channel
	secret     []byte
	webhookURL string
	trust      bool
	clock      parley.Clock
	client     *http.Client
	timeout    time.Duration
}

// New builds the adapter of an API channel with default options. Its
// signature is a parley.AdapterFactory.
func New(ch *parley.Channel) (parley.Adapter, error) {
	return NewAdapter(ch, Options{})
}

// NewAdapter builds the adapter of an API channel. The channel needs a
// secret; webhook_url is optional (without it the channel only receives),
// but when set it must be an absolute http(s) URL.
func NewAdapter(ch *parley.Channel, o Options) (*Adapter, error) {
	if ch == nil {
		return nil, parley.Errorf(parley.EINVALID, "api channel: no channel")
	}
	secret := ch.Secrets[SecretKey]
	if secret == "" {
		return nil, parley.Errorf(parley.EINVALID, "api channel %d has no %q secret", ch.ID, SecretKey)
	}
	hook := ch.Config[ConfigWebhookURL]
	if hook != "" {
		if err := checkWebhookURL(hook); err != nil {
			return nil, parley.WrapError(parley.EINVALID, err, "api channel %d: %s %q is not an absolute http(s) URL", ch.ID, ConfigWebhookURL, hook)
		}
	}
	a := &Adapter{
		channel: ch, secret: []byte(secret), webhookURL: hook,
		trust: ch.Config[ConfigTrustIdentities] == "true",
		clock: o.Clock, client: o.Client, timeout: o.Timeout,
	}
	if a.clock == nil {
		a.clock = parley.SystemClock{}
	}
	if a.timeout <= 0 {
		a.timeout = DefaultTimeout
	}
	if a.client == nil {
		a.client = &http.Client{
			Timeout: a.timeout,
			// A redirected POST would silently become a GET: treat 3xx as an answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return a, nil
}

func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return parley.Errorf(parley.EINVALID, "scheme must be http or https with a host")
	}
	return nil
}

// Platform returns parley.PlatformAPI.
func (a *Adapter) Platform() parley.Platform { return parley.PlatformAPI }

var _ parley.AdapterFactory = New

// Capabilities are long text, attachments by URL, receipts and threads,
// with no reply window: the client decides when it can deliver.
func (a *Adapter) Capabilities() parley.Capabilities {
	return parley.Capabilities{
		TextLimit: TextLimit,
		Media:     []string{"image", "audio", "video", "file"},
		Receipts:  true,
		Threading: true,
	}
}
