package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// fullBatch is a body with MaxItems messages, the largest request allowed.
func fullBatch() []byte {
	items := make([]string, 100)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":"ext-%d","contact":{"id":"cust-%d","name":"Customer %d","email":"c%d@example.com"},"text":"Hello, I have a question about order %d.","timestamp":"2026-11-21T07:30:00Z"}`, i, i%17, i, i, i)
	}
	return []byte(`{"messages":[` + strings.Join(items, ",") + `]}`)
}

func BenchmarkParseWebhook100(b *testing.B) {
	a := MustAdapter(b, NewTestChannel(1, ""))
	body := fullBatch()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := a.ParseWebhook(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/message")
}

func BenchmarkVerifyWebhook100(b *testing.B) {
	a := MustAdapter(b, NewTestChannel(1, ""))
	body := fullBatch()
	req := newHookRequest(body)
	signAsClient(req, testSecret, testNow, body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := a.VerifyWebhook(req, body); err != nil {
			b.Fatal(err)
		}
	}
}
