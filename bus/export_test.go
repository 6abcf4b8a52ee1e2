package bus

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// StopEmbeddedServer kills the embedded server under a bus, as a crash of
// the backbone would.
func StopEmbeddedServer(b *Bus) {
	b.server.Shutdown()
	b.server.WaitForShutdown()
}

// Instance is the bus's lease-holder id.
func Instance(b *Bus) string { return b.instance }

// LeaseHolders maps each leased partition to its holder's instance id.
func LeaseHolders(ctx context.Context, b *Bus) (map[int]string, error) {
	kv, err := b.js.KeyValue(ctx, b.leaseBucketName())
	if err != nil {
		return nil, err
	}
	keys, err := kv.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return map[int]string{}, nil
	} else if err != nil {
		return nil, err
	}
	out := map[int]string{}
	for _, k := range keys {
		if p, ok := strings.CutPrefix(k, "p."); ok {
			e, err := kv.Get(ctx, k)
			if err != nil {
				continue
			}
			n, _ := strconv.Atoi(p)
			out[n] = string(e.Value())
		}
	}
	return out, nil
}

// PendingInbound counts messages waiting (unacknowledged) in INBOUND.
func PendingInbound(ctx context.Context, b *Bus) (uint64, error) {
	s, err := b.js.Stream(ctx, b.streamName(streamInbound))
	if err != nil {
		return 0, err
	}
	return s.CachedInfo().State.Msgs, nil
}

// Crash drops the bus's connection without releasing anything, as a killed
// process would.
func Crash(b *Bus) { b.nc.Close() }

// JetStream is the bus's JetStream handle, for tests that read streams raw.
func JetStream(b *Bus) jetstream.JetStream { return b.js }
