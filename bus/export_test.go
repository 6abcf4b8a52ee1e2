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

// StoredMessages returns the raw subject, headers and data of every message
// left in every stream of the bus, so that tests can prove what is gone.
func StoredMessages(ctx context.Context, b *Bus) ([][]byte, error) {
	var out [][]byte
	for _, name := range b.StreamNames() {
		s, err := b.js.Stream(ctx, name)
		if err != nil {
			return nil, err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return nil, err
		}
		for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			raw := []byte(m.Subject)
			for k, vs := range m.Header {
				raw = append(raw, k...)
				for _, v := range vs {
					raw = append(raw, v...)
				}
			}
			out = append(out, append(raw, m.Data...))
		}
	}
	return out, nil
}
