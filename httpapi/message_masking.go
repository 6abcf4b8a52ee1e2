package httpapi

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// visibleMessage is m as the signed-in agent may see it: the addresses in
// its metadata (a mail's Cc and Reply-To) masked unless the field policy
// lets their role see contact details.
func (s *Server) visibleMessage(ctx context.Context, m *parley.Message) *parley.Message {
	if !identity.CarriesAddresses(m) || s.unmasked(ctx) {
		return m
	}
	return identity.MaskMessage(m)
}

func (s *Server) visibleMessages(ctx context.Context, ms []*parley.Message) []*parley.Message {
	for _, m := range ms {
		if identity.CarriesAddresses(m) {
			if s.unmasked(ctx) {
				return ms
			}
			return identity.MaskMessages(ms)
		}
	}
	return ms
}

// dropMaskedAddresses removes address metadata that a masked screen sent
// back as it received it: the reply then takes the stored addresses (reply-
// all), instead of mailing a***@example.com.
func dropMaskedAddresses(md map[string]string) {
	for k := range identity.AddressMetadata {
		if identity.HasMaskedAddress(md[k]) {
			delete(md, k)
		}
	}
}
