package messenger_test

import "testing"

// BenchmarkParseWebhook parses a five-event batch (two entries, messages
// and receipts); events/s is reported.
func BenchmarkParseWebhook(b *testing.B) {
	a := MustAdapter(b, nil)
	body := MustFixture(b, "messenger_batch.json")
	b.SetBytes(int64(len(body)))
	n := 0
	for b.Loop() {
		evs, err := a.ParseWebhook(body)
		if err != nil {
			b.Fatal(err)
		}
		n += len(evs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
