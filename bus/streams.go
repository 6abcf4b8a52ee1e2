package bus

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
)

// Stream base names; see streamName for the prefix rule.
const (
	streamInbound  = "INBOUND"
	streamOutbound = "OUTBOUND"
	streamEvents   = "EVENTS"
	leaseBucket    = "LEASES"
)

// inboundDuplicateWindow is how long JetStream remembers inbound message ids:
// platforms retry webhooks within minutes. Older duplicates are caught by the
// database's unique (channel, external id).
const inboundDuplicateWindow = 10 * time.Minute

// streamName is the documented name (INBOUND, …) under the default prefix
// and "<PREFIX>_INBOUND" otherwise, so installations sharing a server never
// touch each other's streams.
func (b *Bus) streamName(base string) string {
	if b.cfg.Prefix == DefaultPrefix {
		return base
	}
	return strings.ToUpper(b.cfg.Prefix) + "_" + base
}

// StreamNames lists the streams this bus uses (INBOUND, OUTBOUND, EVENTS and
// the partition-lease bucket's stream), e.g. for tests to clean up.
func (b *Bus) StreamNames() []string {
	return []string{
		b.streamName(streamInbound), b.streamName(streamOutbound), b.streamName(streamEvents),
		"KV_" + b.leaseBucketName(),
	}
}

func (b *Bus) leaseBucketName() string { return b.streamName(leaseBucket) }

func (b *Bus) inboundSubject(partition int) string {
	return b.cfg.Prefix + ".inbound." + strconv.Itoa(partition)
}

func (b *Bus) outboundSubject() string { return b.cfg.Prefix + ".outbound" }

// eventSubject is "<prefix>.events.<subject key>.<type>": the key names the
// contact whose data the event carries ("c42", or "none"), so that erasing
// a contact can purge its events by subject.
func (b *Bus) eventSubject(e *parley.Event) string {
	return b.eventTypeSubject(eventContactKey(e), string(e.Type))
}

func (b *Bus) eventTypeSubject(contactKey, eventType string) string {
	return b.cfg.Prefix + ".events." + contactKey + "." + eventType
}

// contactKey is the subject token of a contact's events.
func contactKey(contactID int64) string { return "c" + strconv.FormatInt(contactID, 10) }

// eventContactKey finds the contact an event carries data of; a widget
// visitor shown as an agent has a negative agent id (-contact id).
func eventContactKey(e *parley.Event) string {
	switch {
	case e.ContactID != 0:
		return contactKey(e.ContactID)
	case e.Contact != nil:
		return contactKey(e.Contact.ID)
	case e.Conversation != nil && e.Conversation.ContactID != 0:
		return contactKey(e.Conversation.ContactID)
	case e.Message != nil && e.Message.ContactID != nil:
		return contactKey(*e.Message.ContactID)
	case e.Presence != nil && e.Presence.AgentID < 0:
		return contactKey(-e.Presence.AgentID)
	}
	return "none"
}

func (b *Bus) presenceSubject() string { return b.cfg.Prefix + ".presence" }

func (b *Bus) streamConfigs() []jetstream.StreamConfig {
	return []jetstream.StreamConfig{{
		Name:        b.streamName(streamInbound),
		Description: "verified canonical inbound events, partitioned by channel and sender",
		Subjects:    []string{b.cfg.Prefix + ".inbound.*"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  inboundDuplicateWindow,
		Replicas:    b.cfg.Replicas,
	}, {
		Name:        b.streamName(streamOutbound),
		Description: "ids of queued outbound messages",
		Subjects:    []string{b.outboundSubject()},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  inboundDuplicateWindow,
		Replicas:    b.cfg.Replicas,
	}, {
		Name:        b.streamName(streamEvents),
		Description: "domain events fanned out to every node",
		Subjects:    []string{b.cfg.Prefix + ".events.>"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      24 * time.Hour,
		Replicas:    b.cfg.Replicas,
	}}
}

func (b *Bus) ensureStreams(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, sc := range b.streamConfigs() {
		if _, err := b.js.CreateOrUpdateStream(ctx, sc); err != nil {
			return unavailable(err, "create or update stream %s", sc.Name)
		}
	}
	if _, err := b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      b.leaseBucketName(),
		Description: "which node consumes which inbound partition",
		History:     1,
		TTL:         b.cfg.LeaseTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    b.cfg.Replicas,
	}); err != nil {
		return unavailable(err, "create lease bucket")
	}
	return nil
}
