package whatsapp_test

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkParseWebhook parses a four-event batch (two messages, two
// statuses); events/s is reported.
func BenchmarkParseWebhook(b *testing.B) {
	a := MustAdapter(b, nil)
	body := MustFixture(b, "whatsapp_batch.json")
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

// BenchmarkVerifyWebhook checks X-Hub-Signature-256 over a typical body.
func BenchmarkVerifyWebhook(b *testing.B) {
	a := MustAdapter(b, nil)
	body := MustFixture(b, "whatsapp_batch.json")
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("X-Hub-Signature-256", sign(body))
	for b.Loop() {
		if err := a.VerifyWebhook(req, body); err != nil {
			b.Fatal(err)
		}
	}
}
