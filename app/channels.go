package app

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	apichannel "github.com/parleyhq/parley/channel/api"
	"github.com/parleyhq/parley/channel/meta/comments"
	"github.com/parleyhq/parley/channel/meta/instagram"
	"github.com/parleyhq/parley/channel/meta/messenger"
	"github.com/parleyhq/parley/channel/meta/whatsapp"
)

// registerChannels is the one place that lists the platforms this binary
// speaks. Adding a channel means adding a line here and a package under
// channel/; the core never changes.
func registerChannels(r *channel.Registry, mail *mailFiles) {
	r.Register(parley.PlatformAPI, apichannel.New)
	r.Register(parley.PlatformMessenger, messenger.New)
	r.Register(parley.PlatformFacebookComments, comments.New)
	r.Register(parley.PlatformInstagram, instagram.New)
	r.Register(parley.PlatformWhatsApp, whatsapp.New)
	r.Register(parley.PlatformEmail, mail.factory) // email.New with the file store's hooks
}

// startChannelWorkers starts the background work some channels need
// (outbound status webhooks of the API channel, mailbox pollers…).
func startChannelWorkers(ctx context.Context, a *App) error {
	d := &apichannel.Dispatcher{Events: a.Bus, Store: a.Store, Logger: a.Logger}
	if err := d.Start(ctx); err != nil {
		return err
	}
	mail := &mailboxes{store: a.Store, checkpoints: a.Store, inbound: a.Bus, logger: a.Logger, every: 30 * time.Second, adapter: a.mailFiles().adapter,
		lease: a.Bus}
	a.goWorker(func() { mail.run(ctx) })
	return nil
}
