package email_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email"
	"github.com/parleyhq/parley/channel/email/mailtest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

// mailboxSize is the benchmark mailbox: 10,000 mails.
const mailboxSize = 10000

// ingestBatch is how many events one transaction stores, as the node's
// inbound processor does.
const ingestBatch = 256

// mailbox builds 10,000 mails from the corpus, each with its own
// Message-ID (its own thread), from 2,000 customers.
func mailbox(tb testing.TB) [][]byte {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	var corpus [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		corpus = append(corpus, raw)
	}
	box := make([][]byte, mailboxSize)
	for i := range box {
		raw := bytes.Replace(corpus[i%len(corpus)], []byte("Message-ID: <"), []byte(fmt.Sprintf("Message-ID: <%d.", i)), 1)
		loc := fromLine.FindIndex(raw)
		if loc == nil {
			tb.Fatalf("corpus mail %d has no From", i%len(corpus))
		}
		from := fmt.Sprintf("From: Customer %d <c%d@customer.example>", i%2000, i%2000)
		box[i] = append(append(append([]byte{}, raw[:loc[0]]...), from...), raw[loc[1]:]...)
	}
	return box
}

// fromLine finds a mail's From header: the first one is the mail's own
// (later ones belong to attached mails); the corpus has no folded From.
var fromLine = regexp.MustCompile(`(?m)^From: [^\r\n]*`)

// mustBenchChannel stores an e-mail channel and returns its adapter.
func mustBenchChannel(tb testing.TB, st *store.Store) *email.Adapter {
	tb.Helper()
	ch := &parley.Channel{Platform: parley.PlatformEmail, Name: "bench", Status: parley.ChannelActive,
		Config: map[string]string{"from_address": "support@parley.example"}}
	if err := st.CreateChannel(context.Background(), ch); err != nil {
		tb.Fatal(err)
	}
	a, err := email.NewAdapter(ch)
	if err != nil {
		tb.Fatal(err)
	}
	a.Logger = slog.New(slog.DiscardHandler)
	return a
}

// batcher stores events in transactions of up to ingestBatch events and
// counts the mails whose events are stored.
type batcher struct {
	st      *store.Store
	pending []*parley.InboundEvent
	mails   int
}

func (b *batcher) add(events []*parley.InboundEvent) error {
	b.pending = append(b.pending, events...)
	b.mails++
	if len(b.pending) >= ingestBatch {
		return b.flush()
	}
	return nil
}

func (b *batcher) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	_, err := b.st.Ingest(context.Background(), b.pending)
	b.pending = b.pending[:0]
	return err
}

// BenchmarkIngestMailbox parses a mailbox of 10,000 mails and stores their
// events (contacts, tickets, messages, search index) in 256-event
// transactions, on each engine; mails/s is the figure.
func BenchmarkIngestMailbox(b *testing.B) {
	box := mailbox(b)
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.MustOpenSQLite}, {"postgres", storetest.MustOpenPostgres}} {
		b.Run(engine.name, func(b *testing.B) {
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				st := engine.open(b)
				a := mustBenchChannel(b, st)
				bt := &batcher{st: st}
				b.StartTimer()
				start := time.Now()
				for _, raw := range box {
					events, err := a.ParseWebhook(raw)
					if err != nil {
						b.Fatal(err)
					}
					if err := bt.add(events); err != nil {
						b.Fatal(err)
					}
				}
				if err := bt.flush(); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(b.N*len(box))/elapsed.Seconds(), "mails/s")
		})
	}
}

// BenchmarkIMAPMailbox brings a Dovecot mailbox of 10,000 mails in through
// the IMAP poller (fetch, parse, mark \Seen one by one) and stores the
// events in 256-event SQLite transactions: the whole way from the mailbox
// to the database, without the inbound stream. Run it with -benchtime=1x.
func BenchmarkIMAPMailbox(b *testing.B) {
	box := mailbox(b)
	d := mailtest.StartDovecot(b, nil, "")
	d.Deliver(b, testMail("seed@customer.example")) // creates the Maildir
	maildir := filepath.Join(d.Dir, "mail", d.User)
	owner, err := os.Stat(maildir)
	if err != nil {
		b.Fatal(err)
	}
	for i, raw := range box {
		writeMaildirFile(b, filepath.Join(maildir, "new", "bench."+strconv.Itoa(i)), raw, owner)
	}
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d.Doveadm(b, "flags remove", `\Seen`, "mailbox", "INBOX", "all")
		st := storetest.MustOpenSQLite(b)
		a := mustBenchChannel(b, st)
		bt := &batcher{st: st}
		done := make(chan struct{})
		p := &email.IMAPPoller{Server: email.ServerConfig{Host: "127.0.0.1", Port: d.Port, TLS: email.TLSNone, Username: d.User, Password: d.Password},
			PollInterval: time.Hour, Logger: slog.New(slog.DiscardHandler)}
		p.Deliver = func(_ context.Context, raw []byte) error {
			events, err := a.ParseWebhook(raw)
			if err != nil {
				return err
			}
			if err := bt.add(events); err != nil {
				return err // the poller retries the mail
			}
			if bt.mails == len(box)+1 {
				defer close(done)
				return bt.flush()
			}
			return nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		b.StartTimer()
		start := time.Now()
		go func() { _ = p.Run(ctx) }()
		<-done
		elapsed += time.Since(start)
		b.StopTimer()
		cancel()
	}
	b.ReportMetric(float64(b.N*len(box))/elapsed.Seconds(), "mails/s")
}

// writeMaildirFile drops a mail into the Maildir the way a delivery agent
// does, owned like the rest of the mailbox.
func writeMaildirFile(tb testing.TB, path string, raw []byte, owner os.FileInfo) {
	tb.Helper()
	mailtest.MustWrite(tb, path, raw)
	if st, ok := fileOwner(owner); ok {
		if err := os.Chown(path, st.uid, st.gid); err != nil {
			tb.Fatal(err)
		}
	}
}
