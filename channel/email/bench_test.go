package email_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseWebhookMailbox turns a mailbox of 10,000 mails (the corpus
// in turn, each with its own Message-ID) into events, as the inbound
// transports do, and reports mails per second.
func BenchmarkParseWebhookMailbox(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	var corpus [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		corpus = append(corpus, raw)
	}
	box := make([][]byte, 10000)
	for i := range box {
		box[i] = bytes.Replace(corpus[i%len(corpus)], []byte("Message-ID: <"), []byte(fmt.Sprintf("Message-ID: <%d.", i)), 1)
	}
	a := MustAdapter(b, nil)
	a.Logger = slog.New(slog.DiscardHandler)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, raw := range box {
			if _, err := a.ParseWebhook(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(box))/b.Elapsed().Seconds(), "mails/s")
}
