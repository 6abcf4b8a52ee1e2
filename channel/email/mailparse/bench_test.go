package mailparse_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channel/email/mailparse"
)

// MustMailbox generates n mails: the corpus (every charset and structure)
// in turn, each with its own Message-ID, mixed with plain replies of a
// typical length carrying a quoted history.
func MustMailbox(tb testing.TB, n int) [][]byte {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	if len(files) == 0 {
		tb.Fatal("no corpus")
	}
	var corpus [][]byte
	for _, f := range files {
		corpus = append(corpus, MustReadFile(tb, f))
	}
	history := strings.Repeat("> An earlier line of the conversation that the client quoted.\r\n", 30)
	box := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			src := corpus[(i/2)%len(corpus)]
			box = append(box, bytes.Replace(src, []byte("Message-ID: <"), []byte(fmt.Sprintf("Message-ID: <%d.", i)), 1))
			continue
		}
		box = append(box, []byte(fmt.Sprintf("From: Customer %d <c%d@example.com>\r\nTo: support@parley.example\r\n"+
			"Subject: =?utf-8?q?Order_%d_=E2=9C=93?=\r\nMessage-ID: <gen-%d@example.com>\r\nIn-Reply-To: <root-%d@parley.example>\r\n"+
			"References: <root-%d@parley.example>\r\nDate: Fri, 01 Mar 2024 10:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
			"Hello,\r\n\r\nThis is reply number %d about my order. Please check.\r\n\r\n-- \r\nCustomer\r\n\r\n"+
			"On Thu, Feb 29, 2024 at 9:00 AM Support <support@parley.example> wrote:\r\n%s", i, i, i, i, i, i, i, history)))
	}
	return box
}

// BenchmarkParseMailbox parses a mailbox of 10,000 generated mails per
// iteration and reports mails per second.
func BenchmarkParseMailbox(b *testing.B) {
	box := MustMailbox(b, 10000)
	var size int64
	for _, m := range box {
		size += int64(len(m))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, raw := range box {
			if _, err := mailparse.Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(box))/b.Elapsed().Seconds(), "mails/s")
}
