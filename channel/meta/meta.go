// Package meta groups Parley's Meta channels: Messenger (messenger),
// Facebook Page comments (comments), Instagram Direct and comments
// (instagram) and WhatsApp Business Cloud (whatsapp), with what they share
// in graph and messaging, and a fake Graph API server in fake. Register adds
// all four to a channel registry.
package meta

import (
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/meta/comments"
	"github.com/parleyhq/parley/channel/meta/instagram"
	"github.com/parleyhq/parley/channel/meta/messenger"
	"github.com/parleyhq/parley/channel/meta/whatsapp"
)

// Register makes the four Meta platforms available in r.
func Register(r *channel.Registry) {
	r.Register(parley.PlatformMessenger, messenger.New)
	r.Register(parley.PlatformFacebookComments, comments.New)
	r.Register(parley.PlatformInstagram, instagram.New)
	r.Register(parley.PlatformWhatsApp, whatsapp.New)
}
