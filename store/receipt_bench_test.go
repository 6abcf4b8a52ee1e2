package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store/storetest"
)

// BenchmarkIngestReceipts measures batches of 500 WhatsApp statuses naming
// recorded messages: "moves" (delivered after sent, one UPDATE), "late"
// (sent after sent: moves nothing, so pending_receipts checks the ids with
// one more indexed read) and "unknown" (ids no message has: held, with the
// per-id lock on PostgreSQL).
func BenchmarkIngestReceipts(b *testing.B) {
	benchEngines(b, func(b *testing.B, dsn string) {
		ctx := context.Background()
		st := storetest.MustOpenDSN(b, dsn)
		ch := storetest.MustCreateChannel(b, st, parley.PlatformWhatsApp)
		conv := storetest.MustConversation(b, st, ch, "c", "hi")
		const batch = 500
		ids := make([]string, 5*batch)
		for i := range ids {
			m := &parley.Message{ConversationID: conv.ID, Body: "reply"}
			if err := st.CreateMessage(ctx, m); err != nil {
				b.Fatal(err)
			}
			ids[i] = fmt.Sprintf("wamid.bench%d", i)
			if _, err := st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: m.ID, Status: parley.MessageSent, ExternalID: ids[i]}); err != nil {
				b.Fatal(err)
			}
		}
		receipts := func(status parley.MessageStatus, prefix string, i int) []*parley.InboundEvent {
			evs := make([]*parley.InboundEvent, batch)
			for j := range evs {
				id := ids[(i*batch+j)%len(ids)]
				if prefix != "" {
					id = fmt.Sprintf("%s%d-%d", prefix, i, j)
				}
				evs[j] = &parley.InboundEvent{Kind: parley.InboundReceipt, ChannelID: ch.ID, Platform: ch.Platform, Status: status,
					Targets: []string{id}, Sender: parley.Sender{Kind: parley.IdentityWhatsApp, ID: "c"}, Timestamp: time.Now()}
			}
			return evs
		}
		for _, tc := range []struct {
			name   string
			status parley.MessageStatus
			prefix string
		}{{"late", parley.MessageSent, ""}, {"moves", parley.MessageDelivered, ""}, {"unknown", parley.MessageDelivered, "wamid.unknown"}} {
			b.Run(tc.name, func(b *testing.B) {
				start := time.Now()
				for i := 0; b.Loop(); i++ {
					if _, err := st.Ingest(ctx, receipts(tc.status, tc.prefix, i)); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "receipts/s")
			})
		}
	})
}
