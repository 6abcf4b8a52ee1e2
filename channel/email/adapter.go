// Package email is Parley's e-mail channel: it turns inbound mail into
// canonical events (threads, bounces as receipts, auto-replies dropped),
// sends agents' replies over SMTP so they thread in the customer's client,
// and brings mail in by IMAP (IDLE or polling) or by its own SMTP endpoint.
//
// Wiring: register New for parley.PlatformEmail in the channel registry;
// start an IMAPPoller or an SMTPReceiver per channel and give it a Deliver
// callback that calls Adapter.ParseWebhook(raw) and publishes the events to
// the inbound stream. Mail never arrives over HTTP, so VerifyWebhook refuses
// every request: a mail that came by mail is what makes the sender's address
// verified.
package email

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"time"

	"github.com/parleyhq/parley"
)

// Adapter is the e-mail channel adapter of one channel.
type Adapter struct {
	channel *parley.Channel
	cfg     Config

	// TLSConfig overrides the TLS settings used to reach the SMTP server
	// (tests trust their own CA with it); nil means the system roots.
	TLSConfig *tls.Config
	// Clock stamps mail that has no readable Date.
	Clock parley.Clock
	// Timeout bounds one SMTP conversation when ctx has no deadline.
	Timeout time.Duration
	// SaveAttachment, if set, stores the bytes of inbound attachments and
	// inline images and returns the storage key put on the event. Without
	// it events carry the attachments' names, types and sizes only.
	SaveAttachment func(ctx context.Context, a parley.Attachment, data []byte) (storageKey string, err error)
	// LoadAttachment, if set, returns the bytes of an outbound attachment
	// (by its StorageKey or URL); without it the channel sends no files.
	LoadAttachment func(ctx context.Context, a parley.Attachment) ([]byte, error)
	// Logger receives what was dropped and why.
	Logger *slog.Logger
}

var _ parley.Adapter = (*Adapter)(nil)

// New builds the adapter of an e-mail channel. It fails with EINVALID when
// the channel's configuration is unusable.
func New(ch *parley.Channel) (parley.Adapter, error) {
	return NewAdapter(ch)
}

// NewAdapter is New returning the concrete type, for callers that set the
// optional fields.
func NewAdapter(ch *parley.Channel) (*Adapter, error) {
	if ch == nil {
		return nil, parley.Errorf(parley.EINVALID, "no channel")
	}
	cfg, err := ParseConfig(ch)
	if err != nil {
		return nil, err
	}
	return &Adapter{channel: ch, cfg: cfg, Clock: parley.SystemClock{}, Timeout: 2 * time.Minute, Logger: slog.Default()}, nil
}

// Config returns the channel's parsed configuration.
func (a *Adapter) Config() Config { return a.cfg }

// Platform is PlatformEmail.
func (a *Adapter) Platform() parley.Platform { return parley.PlatformEmail }

// MaxAttachmentBytes is the total size of files one reply may carry: 20 MiB
// become about 27 MiB in base64, under the common 35 MiB server limits.
const MaxAttachmentBytes = 20 << 20

// Capabilities of mail: long text, threading, bounces as receipts, and
// files when the adapter can load them.
func (a *Adapter) Capabilities() parley.Capabilities {
	c := parley.Capabilities{Threading: true, Receipts: true}
	if a.LoadAttachment != nil {
		c.Media = []string{"image", "audio", "video", "file"}
		c.MaxMediaBytes = MaxAttachmentBytes
	}
	return c
}

// VerifyWebhook refuses every HTTP request: mail arrives by IMAP or SMTP,
// and accepting it over HTTP would let anyone claim any sender address.
func (a *Adapter) VerifyWebhook(_ *http.Request, _ []byte) error {
	return parley.Errorf(parley.EUNAUTHORIZED, "e-mail channels receive mail by IMAP or SMTP, not by webhook")
}
