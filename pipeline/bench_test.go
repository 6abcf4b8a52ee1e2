package pipeline_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/pipeline"
)

// BenchmarkInboundPipeline measures inbound events stored per second end
// to end on one node: INBOUND stream → Processor (one Ingest per batch) →
// SQLite → domain events on EVENTS. The events are queued before the clock
// starts, so this is the processing rate, not the webhook rate.
func BenchmarkInboundPipeline(b *testing.B) {
	st := MustOpenStore(b)
	ch := MustCreateChannel(b, st)
	bb := openBus(b)
	var batch []*parley.InboundEvent
	for i := range b.N {
		batch = append(batch, inboundText(ch, fmt.Sprint("cust-", i%500), i))
		if len(batch) == 100 || i == b.N-1 {
			if err := bb.PublishInbound(context.Background(), batch, nil, parleyNow()); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	var stored, batches atomic.Int64
	done := make(chan struct{})
	proc := &pipeline.Processor{Store: st, Events: bb}
	b.ResetTimer()
	err := bb.ConsumeInbound(b.Context(), 200, func(ctx context.Context, batch []bus.InboundDelivery) error {
		if err := proc.Handle(ctx, batch); err != nil {
			return err
		}
		batches.Add(1)
		if stored.Add(int64(len(batch))) == int64(b.N) {
			close(done)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	<-done
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/float64(batches.Load()), "events/batch")
}
