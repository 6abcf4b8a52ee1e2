package pipeline

import "github.com/parleyhq/parley"

// globalKinds are the identity kinds a platform can address without an
// identity scoped to the channel.
var globalKinds = map[parley.Platform][]parley.IdentityKind{
	parley.PlatformWhatsApp: {parley.IdentityWhatsApp, parley.IdentityPhone},
	parley.PlatformSMS:      {parley.IdentityPhone},
	parley.PlatformVoice:    {parley.IdentityPhone},
	parley.PlatformEmail:    {parley.IdentityEmail},
}

// Recipient picks the identity to send to on ch: one scoped to the channel
// (a PSID, a visitor id, an API contact id) if there is one, otherwise a
// global identity the platform can address (a phone number for WhatsApp,
// an e-mail address for mail), verified ones first. It returns nil if the
// contact cannot be reached on ch.
func Recipient(c *parley.Contact, ch *parley.Channel) *parley.Identity {
	var best *parley.Identity
	better := func(id *parley.Identity) {
		if best == nil || (id.Verified && !best.Verified) {
			best = id
		}
	}
	for _, id := range c.Identities {
		if id.ScopeChannelID == ch.ID {
			better(id)
		}
	}
	if best != nil {
		return best
	}
	for _, kind := range globalKinds[ch.Platform] {
		for _, id := range c.Identities {
			if id.Kind == kind && (id.ScopeChannelID == 0 || id.ScopeChannelID == ch.ID) {
				better(id)
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}
