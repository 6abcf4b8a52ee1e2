package bus

import (
	"context"
	"errors"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// Partition leases make each inbound partition consumed by one node at a
// time, across the whole cluster. JetStream's pinned-client consumers (2.11+)
// would do the same, but a lease in a KV bucket also works on older servers.
// A lease is a key "p.<n>" holding the owner's instance id; the bucket's TTL
// expires the leases of a node that died. Each node takes a fair share
// (ceil(partitions / live nodes)) so partitions spread as nodes join.
type leases struct {
	kv       jetstream.KeyValue
	instance string
	total    int
	owned    map[int]uint64 // partition → revision of our lease
}

func partitionKey(p int) string { return "p." + strconv.Itoa(p) }

func (l *leases) nodeKey() string { return "node." + l.instance }

// heartbeat records that this node is alive and returns the live node count.
func (l *leases) heartbeat(ctx context.Context) (int, error) {
	if _, err := l.kv.Put(ctx, l.nodeKey(), []byte(l.instance)); err != nil {
		return 0, err
	}
	keys, err := l.kv.Keys(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return 0, err
	}
	nodes := 0
	for _, k := range keys {
		if strings.HasPrefix(k, "node.") {
			nodes++
		}
	}
	return max(nodes, 1), nil
}

// fairShare is how many partitions one of n nodes should hold.
func (l *leases) fairShare(nodes int) int { return (l.total + nodes - 1) / nodes }

// renew extends a held lease; false means it was lost (expired and taken).
func (l *leases) renew(ctx context.Context, p int) bool {
	rev, err := l.kv.Update(ctx, partitionKey(p), []byte(l.instance), l.owned[p])
	if err != nil {
		delete(l.owned, p)
		return false
	}
	l.owned[p] = rev
	return true
}

// freeMarker is the value a node leaves in a lease it gave up cleanly,
// after returning its unfinished events to the stream.
const freeMarker = "free"

// tryAcquire takes partition p if nobody holds it. clean reports that the
// previous holder released it; otherwise (a crash, or a first start) events
// it had in flight may still be waiting out their ack timeout.
func (l *leases) tryAcquire(ctx context.Context, p int) (acquired, clean bool) {
	key := partitionKey(p)
	entry, err := l.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		rev, err := l.kv.Create(ctx, key, []byte(l.instance))
		if err != nil {
			return false, false
		}
		l.owned[p] = rev
		return true, false
	case err != nil || string(entry.Value()) != freeMarker:
		return false, false
	}
	rev, err := l.kv.Update(ctx, key, []byte(l.instance), entry.Revision())
	if err != nil {
		return false, false
	}
	l.owned[p] = rev
	return true, true
}

// release gives p up so another node can take it at once.
func (l *leases) release(ctx context.Context, p int) {
	rev, ok := l.owned[p]
	if !ok {
		return
	}
	delete(l.owned, p)
	_, _ = l.kv.Update(ctx, partitionKey(p), []byte(freeMarker), rev)
}

// leave releases everything and removes the node's heartbeat.
func (l *leases) leave(ctx context.Context) {
	for p := range l.owned {
		l.release(ctx, p)
	}
	_ = l.kv.Delete(ctx, l.nodeKey())
}

// candidates lists partitions in the order this node tries them, starting
// at a per-node offset so that nodes starting together do not all race for
// partition 0.
func (l *leases) candidates() []int {
	h := fnv.New32a()
	h.Write([]byte(l.instance))
	start := int(h.Sum32() % uint32(l.total))
	out := make([]int, 0, l.total)
	for i := range l.total {
		out = append(out, (start+i)%l.total)
	}
	return out
}
