package bus

import (
	"context"
	"encoding/json"

	"github.com/nats-io/nats.go"

	"github.com/parleyhq/parley"
)

// PublishPresence implements parley.PresenceBus on a plain NATS subject:
// presence is ephemeral, so nothing is stored.
func (b *Bus) PublishPresence(ctx context.Context, p *parley.PresenceInfo) error {
	data, err := json.Marshal(p)
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "encode presence")
	}
	if err := b.nc.Publish(b.presenceSubject(), data); err != nil {
		return unavailable(err, "publish presence")
	}
	return nil
}

// SubscribePresence delivers every node's presence updates until ctx is
// done or the bus closes.
func (b *Bus) SubscribePresence(ctx context.Context, handle func(*parley.PresenceInfo)) error {
	sub, err := b.nc.Subscribe(b.presenceSubject(), func(m *nats.Msg) {
		var p parley.PresenceInfo
		if err := json.Unmarshal(m.Data, &p); err != nil {
			b.log.Warn("undecodable presence skipped", "err", err)
			return
		}
		handle(&p)
	})
	if err != nil {
		return unavailable(err, "subscribe to presence")
	}
	if err := b.nc.Flush(); err != nil {
		_ = sub.Unsubscribe()
		return unavailable(err, "subscribe to presence")
	}
	return b.startLoop(func(context.Context) {
		ctx, cancel := b.mergeDone(ctx)
		defer cancel()
		<-ctx.Done()
		_ = sub.Unsubscribe()
	})
}
