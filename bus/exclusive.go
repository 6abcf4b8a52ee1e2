package bus

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// RunExclusive runs job on at most one node of the cluster at a time: the
// node that holds the lease "job.<name>" in the lease bucket, the same
// bucket and the same rules as the inbound partition leases (lease.go).
// Every node that wants the job calls RunExclusive; the others wait and try
// again every LeaseTTL/4. The holder renews its lease as often; if it dies,
// the bucket's TTL expires the lease and another node takes over within
// LeaseTTL + LeaseTTL/4. A holder that loses its lease (a long network
// partition) has job's context cancelled. When ctx ends or the bus closes,
// job is stopped and the lease released, so a waiting node takes over at
// its next try. If job returns on its own the lease is released and
// RunExclusive returns. It blocks until then; the embedded bus works the
// same with one node. name may hold letters, digits, "-", "_" and ".".
func (b *Bus) RunExclusive(ctx context.Context, name string, job func(ctx context.Context)) error {
	kv, err := b.js.KeyValue(ctx, b.leaseBucketName())
	if err != nil {
		return unavailable(err, "lease bucket")
	}
	done := make(chan struct{})
	err = b.startLoop(func(context.Context) {
		defer close(done)
		ctx, cancel := b.mergeDone(ctx)
		defer cancel()
		x := &exclusive{b: b, kv: kv, key: "job." + name}
		x.run(ctx, job)
	})
	if err != nil {
		return err
	}
	<-done
	return nil
}

// exclusive is one node's claim on one job lease.
type exclusive struct {
	b   *Bus
	kv  jetstream.KeyValue
	key string
	rev uint64 // revision of our lease while held
}

func (x *exclusive) run(ctx context.Context, job func(ctx context.Context)) {
	every := x.b.cfg.LeaseTTL / 4
	tick := time.NewTicker(every)
	defer tick.Stop()
	var stopJob context.CancelFunc
	var jobDone chan struct{}
	defer func() {
		if stopJob != nil {
			stopJob()
			<-jobDone
			x.release()
		}
	}()
	for {
		opCtx, cancel := context.WithTimeout(ctx, every)
		switch {
		case stopJob == nil && x.acquire(opCtx):
			x.b.log.Info("exclusive job lease taken", "lease", x.key)
			jobCtx, stop := context.WithCancel(ctx)
			stopJob, jobDone = stop, make(chan struct{})
			go func(done chan struct{}) { defer close(done); job(jobCtx) }(jobDone)
		case stopJob != nil && !x.renew(opCtx):
			x.b.log.Warn("exclusive job lease lost; stopping the job", "lease", x.key)
			stopJob()
			<-jobDone
			stopJob, jobDone = nil, nil
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-jobDone: // nil (never ready) while not running
			stopJob()
			stopJob = nil
			x.release()
			return
		case <-tick.C:
		}
	}
}

// acquire takes the lease if nobody holds it (absent, expired, or freed).
func (x *exclusive) acquire(ctx context.Context) bool {
	entry, err := x.kv.Get(ctx, x.key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		rev, err := x.kv.Create(ctx, x.key, []byte(x.b.instance))
		x.rev = rev
		return err == nil
	case err != nil || string(entry.Value()) != freeMarker:
		return false
	}
	rev, err := x.kv.Update(ctx, x.key, []byte(x.b.instance), entry.Revision())
	x.rev = rev
	return err == nil
}

// renew extends the lease; false means another node took it (or the
// bucket cannot be reached, which must be read the same way: a holder that
// cannot renew will see its lease expire).
func (x *exclusive) renew(ctx context.Context) bool {
	rev, err := x.kv.Update(ctx, x.key, []byte(x.b.instance), x.rev)
	if err != nil {
		return false
	}
	x.rev = rev
	return true
}

// release frees the lease at once rather than after the TTL. It runs as
// the bus may be closing, so it does not use the cancelled context.
func (x *exclusive) release() {
	ctx, cancel := context.WithTimeout(context.Background(), x.b.cfg.LeaseTTL/4)
	defer cancel()
	_, _ = x.kv.Update(ctx, x.key, []byte(freeMarker), x.rev)
}
