// Package meta groups Parley's Meta channels: Messenger (messenger),
// Facebook Page comments (comments), Instagram Direct and comments
// (instagram) and WhatsApp Business Cloud (whatsapp), with what they share
// in graph and messaging, a fake Graph API server in fake, and the
// onboarding calls in connect. Register adds all four to a channel registry.
//
// Conventions shared by the four adapters (see each package for details):
//
//   - Sender is always the customer, also for echoes and receipts of our own
//     messages (Direction out); only a Page's or Instagram account's own
//     comments carry the account itself as Sender.
//   - Edits, deletes and reactions name the message they change in ReplyTo
//     (and Targets for edits and deletes), with an ExternalID of their own so
//     that two changes of one message never de-duplicate each other.
//   - Events without a platform id (receipts, reactions, referrals) get a
//     deterministic synthetic ExternalID.
//   - Payloads of quick replies, postbacks and buttons are in Metadata
//     "payload" with "payload_source"; referrals in "referral_*".
//   - Outbound extras travel in Message.Metadata: "quick_replies" and
//     "buttons" (JSON arrays), "list" (WhatsApp), "reply_mode"
//     (public|private in comment threads), "template_name",
//     "template_language", "template_params" (KindTemplate on WhatsApp).
//   - What a channel cannot carry (text over the limit, too many buttons,
//     a closed reply window) is refused before any request with a
//     permanent *parley.SendError whose Code names the rule and whose
//     Reason says what to do; Graph errors are classified by graph.Classify.
//   - Besides parley.Adapter, every adapter has FetchMedia(ctx, att)
//     (io.ReadCloser, contentType, error), and Messenger, Instagram and
//     WhatsApp have MarkRead(ctx, recipient, messageID) error.
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
