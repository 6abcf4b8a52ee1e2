package bus_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
)

// BenchmarkPublishInbound measures durable enqueue throughput on the
// embedded server, as concurrent webhooks would drive it, with JetStream's
// default interval fsync and with SyncAlways.
func BenchmarkPublishInbound(b *testing.B) {
	for _, sync := range []bool{false, true} {
		for _, perCall := range []int{1, 100} {
			b.Run(fmt.Sprintf("sync_always=%v/events_per_call=%d", sync, perCall), func(b *testing.B) {
				bb := bustest.MustOpen(b, bus.Config{DataDir: b.TempDir(), SyncAlways: sync})
				var seq atomic.Int64
				b.SetParallelism(8)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						events := make([]*parley.InboundEvent, perCall)
						for i := range events {
							events[i] = MustEvent(b, fmt.Sprint("s", seq.Add(1)%1000), int(seq.Add(1)))
						}
						if err := bb.PublishInbound(context.Background(), events, nil, time.Now()); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.ReportMetric(float64(b.N*perCall)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// BenchmarkConsumeInbound measures how fast stored events are fetched,
// handed over in batches of 100 and acknowledged (with a handler that does
// nothing), over 8 partitions.
func BenchmarkConsumeInbound(b *testing.B) {
	bb := bustest.MustOpen(b, bus.Config{DataDir: b.TempDir()})
	events := make([]*parley.InboundEvent, 0, 100)
	for i := range b.N {
		events = append(events, MustEvent(b, fmt.Sprint("s", i%1000), i))
		if len(events) == cap(events) || i == b.N-1 {
			MustPublish(b, bb, events...)
			events = events[:0]
		}
	}
	var handled atomic.Int64
	done := make(chan struct{})
	b.ResetTimer()
	err := bb.ConsumeInbound(b.Context(), 100, func(_ context.Context, batch []bus.InboundDelivery) error {
		if handled.Add(int64(len(batch))) == int64(b.N) {
			close(done)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	<-done
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
