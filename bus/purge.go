package bus

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
)

// PurgeContactData implements parley.ContactDataPurger. Only EVENTS keeps
// data after it is handled: INBOUND and OUTBOUND are work queues whose
// messages are deleted once acknowledged (OUTBOUND holds message ids only),
// and the lease bucket holds node ids.
func (b *Bus) PurgeContactData(ctx context.Context, contactID int64) error {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	s, err := b.js.Stream(ctx, b.streamName(streamEvents))
	if err != nil {
		return unavailable(err, "open the events stream to purge contact %d", contactID)
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject(b.eventTypeSubject(contactKey(contactID), ">"))); err != nil {
		return unavailable(err, "purge the events of contact %d", contactID)
	}
	return nil
}

var _ parley.ContactDataPurger = (*Bus)(nil)
