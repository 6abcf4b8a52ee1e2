package bus

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
)

// inboundEnvelope is what travels on the INBOUND stream.
type inboundEnvelope struct {
	Event      *parley.InboundEvent `json:"event"`
	ReceivedAt time.Time            `json:"received_at"`
}

// Partition maps an event to its inbound partition: FNV-1a of
// "<channel id>/<sender id>" mod n, so that one sender's events on one
// channel always share a partition and so keep their order.
func Partition(e *parley.InboundEvent, n int) int {
	h := fnv.New32a()
	h.Write([]byte(strconv.FormatInt(e.ChannelID, 10)))
	h.Write([]byte{'/'})
	h.Write([]byte(e.Sender.ID))
	return int(h.Sum32() % uint32(n))
}

// InboundMsgID is the de-duplication id of an inbound event.
func InboundMsgID(e *parley.InboundEvent, raw []byte) string {
	return "in:" + strconv.FormatInt(e.ChannelID, 10) + ":" + e.DedupKey(raw)
}

// PublishInbound implements parley.InboundPublisher: every event goes to its
// partition, all asynchronously, and it returns once the stream has stored
// every one (a duplicate counts as stored). It fails with EUNAVAILABLE if
// JetStream does not acknowledge within about five seconds.
func (b *Bus) PublishInbound(ctx context.Context, events []*parley.InboundEvent, raw []byte, receivedAt time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	futures := make([]jetstream.PubAckFuture, 0, len(events))
	for _, e := range events {
		msg, err := b.inboundMsg(e, raw, receivedAt)
		if err != nil {
			return err
		}
		f, err := b.js.PublishMsgAsync(msg, jetstream.WithMsgID(msg.Header.Get(nats.MsgIdHdr)))
		if err != nil {
			return unavailable(err, "publish inbound event")
		}
		futures = append(futures, f)
	}
	return awaitAcks(ctx, futures)
}

func (b *Bus) inboundMsg(e *parley.InboundEvent, raw []byte, receivedAt time.Time) (*nats.Msg, error) {
	data, err := json.Marshal(inboundEnvelope{Event: e, ReceivedAt: receivedAt})
	if err != nil {
		return nil, parley.WrapError(parley.EINVALID, err, "encode inbound event")
	}
	msg := nats.NewMsg(b.inboundSubject(Partition(e, b.cfg.Partitions)))
	msg.Data = data
	msg.Header.Set(nats.MsgIdHdr, InboundMsgID(e, raw))
	return msg, nil
}

// awaitAcks waits for every future; the first failure or the deadline wins.
func awaitAcks(ctx context.Context, futures []jetstream.PubAckFuture) error {
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return unavailable(err, "inbound stream did not store the event")
		case <-ctx.Done():
			return unavailable(ctx.Err(), "inbound stream did not acknowledge in time")
		}
	}
	return nil
}
