package email_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email"
	"github.com/parleyhq/parley/channel/email/mailparse"
	"github.com/parleyhq/parley/channel/email/mailtest"
)

// inbox records what a poller delivered; it can be told to fail.
type inbox struct {
	mu   sync.Mutex
	ids  []string
	fail bool
	got  chan string
}

func newInbox() *inbox { return &inbox{got: make(chan string, 100)} }

func (b *inbox) deliver(_ context.Context, raw []byte) error {
	m, err := mailparse.Parse(raw)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail {
		return errors.New("inbound stream unavailable")
	}
	b.ids = append(b.ids, m.MessageID)
	b.got <- m.MessageID
	return nil
}

func (b *inbox) setFail(v bool) {
	b.mu.Lock()
	b.fail = v
	b.mu.Unlock()
}

// wantMail waits for the next delivered Message-ID.
func (b *inbox) wantMail(tb testing.TB, id string, within time.Duration) {
	tb.Helper()
	select {
	case got := <-b.got:
		if got != id {
			tb.Fatalf("delivered %q, want %q", got, id)
		}
	case <-time.After(within):
		tb.Fatalf("%q not delivered within %s", id, within)
	}
}

func (b *inbox) wantNothing(tb testing.TB, within time.Duration) {
	tb.Helper()
	select {
	case got := <-b.got:
		tb.Fatalf("unexpected delivery of %q", got)
	case <-time.After(within):
	}
}

func testMail(id string) []byte {
	return mail(fmt.Sprintf("From: c@customer.example\nTo: support@parley.example\nSubject: test %s\nMessage-ID: <%s>", id, id), "hello "+id)
}

// MustStartPoller runs a poller against d until the test ends.
func MustStartPoller(tb testing.TB, d *mailtest.Dovecot, b *inbox, cert *mailtest.Cert, tune func(*email.IMAPPoller)) *email.IMAPPoller {
	tb.Helper()
	mode := email.TLSNone
	if cert != nil {
		mode = email.TLSStartTLS
	}
	p := &email.IMAPPoller{
		Server:  email.ServerConfig{Host: "127.0.0.1", Port: d.Port, TLS: mode, Username: d.User, Password: d.Password},
		Deliver: b.deliver,
		// Only IDLE can bring mail this quickly: the poll fallback would
		// wait an hour.
		PollInterval:  time.Hour,
		RetryInterval: 200 * time.Millisecond,
	}
	if cert != nil {
		p.TLSConfig = cert.ClientTLS()
	}
	if tune != nil {
		tune(p)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			tb.Errorf("Run returned %v", err)
		}
	})
	return p
}

func waitIdling(tb testing.TB, p *email.IMAPPoller) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !p.Idling() {
		if time.Now().After(deadline) {
			tb.Fatal("poller never entered IDLE")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIMAPPollerPicksUpMailByIdle(t *testing.T) {
	cert := mailtest.MustCert(t, t.TempDir())
	d := mailtest.StartDovecot(t, cert, "")
	d.Deliver(t, testMail("before-start@customer.example"))
	b := newInbox()
	p := MustStartPoller(t, d, b, cert, nil)

	t.Run("mail already waiting is delivered on connect", func(t *testing.T) {
		b.wantMail(t, "before-start@customer.example", 10*time.Second)
	})
	t.Run("new mail arrives while idling", func(t *testing.T) {
		waitIdling(t, p)
		d.Deliver(t, testMail("while-idle@customer.example"))
		b.wantMail(t, "while-idle@customer.example", 10*time.Second)
	})
	t.Run("delivered mail is marked seen on the server", func(t *testing.T) {
		waitIdling(t, p)
		for uid, f := range d.Flags(t, "INBOX") {
			if !strings.Contains(f, `\Seen`) {
				t.Errorf("uid %s flags %q", uid, f)
			}
		}
		if cp := p.Checkpoint(); cp.LastUID != 2 || cp.UIDValidity == 0 {
			t.Fatalf("checkpoint %+v", cp)
		}
	})
}

func TestIMAPPollerKeepsMailUntilDelivered(t *testing.T) {
	d := mailtest.StartDovecot(t, nil, "")
	b := newInbox()
	b.setFail(true)
	p := MustStartPoller(t, d, b, nil, nil)
	d.Deliver(t, testMail("first@customer.example"))
	d.Deliver(t, testMail("second@customer.example"))

	t.Run("a failing callback leaves the mail unseen", func(t *testing.T) {
		time.Sleep(700 * time.Millisecond) // a few retry rounds
		for uid, f := range d.Flags(t, "INBOX") {
			if strings.Contains(f, `\Seen`) {
				t.Fatalf("uid %s flags %q before any delivery succeeded", uid, f)
			}
		}
	})
	t.Run("once the callback works, mail comes in order, each once", func(t *testing.T) {
		b.setFail(false)
		b.wantMail(t, "first@customer.example", 10*time.Second)
		b.wantMail(t, "second@customer.example", 10*time.Second)
		waitIdling(t, p)
		b.wantNothing(t, 500*time.Millisecond)
	})
}

func TestIMAPPollerRestartFetchesNothingTwice(t *testing.T) {
	d := mailtest.StartDovecot(t, nil, "")
	b := newInbox()
	d.Deliver(t, testMail("one@customer.example"))

	ctx, cancel := context.WithCancel(context.Background())
	first := &email.IMAPPoller{Server: email.ServerConfig{Host: "127.0.0.1", Port: d.Port, TLS: email.TLSNone, Username: d.User, Password: d.Password},
		Deliver: b.deliver, PollInterval: time.Hour}
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx) }()
	b.wantMail(t, "one@customer.example", 10*time.Second)
	waitIdling(t, first)
	cancel()
	<-done

	d.Deliver(t, testMail("two@customer.example"))
	second := MustStartPoller(t, d, b, nil, func(p *email.IMAPPoller) { p.SetCheckpoint(first.Checkpoint()) })
	b.wantMail(t, "two@customer.example", 10*time.Second)
	waitIdling(t, second)
	b.wantNothing(t, 300*time.Millisecond)
}

func TestIMAPPollerWithoutIdlePolls(t *testing.T) {
	// This Dovecot does not offer IDLE, so the poller must poll.
	d := mailtest.StartDovecot(t, nil, "imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE UIDPLUS MOVE NAMESPACE")
	b := newInbox()
	p := MustStartPoller(t, d, b, nil, func(p *email.IMAPPoller) { p.PollInterval = 300 * time.Millisecond })
	time.Sleep(200 * time.Millisecond)
	d.Deliver(t, testMail("polled@customer.example"))
	b.wantMail(t, "polled@customer.example", 10*time.Second)
	if p.Idling() {
		t.Fatal("the poller idles on a server without IDLE")
	}
}

func TestIMAPPollerMovesHandledMail(t *testing.T) {
	d := mailtest.StartDovecot(t, nil, "")
	b := newInbox()
	d.Deliver(t, testMail("move-1@customer.example"))
	p := MustStartPoller(t, d, b, nil, func(p *email.IMAPPoller) { p.Processed = "Processed" })
	b.wantMail(t, "move-1@customer.example", 10*time.Second)
	waitIdling(t, p)
	if f := d.Flags(t, "INBOX"); len(f) != 0 {
		t.Fatalf("INBOX still holds %v", f)
	}
	if f := d.Flags(t, "Processed"); len(f) != 1 {
		t.Fatalf("Processed holds %v", f)
	}
}

func TestIMAPPollerThroughTheAdapter(t *testing.T) {
	d := mailtest.StartDovecot(t, nil, "")
	a := MustAdapter(t, nil)
	published := make(chan *parley.InboundEvent, 10)
	deliver := a.DeliverTo(func(_ context.Context, evs []*parley.InboundEvent, _ []byte) error {
		for _, ev := range evs {
			published <- ev
		}
		return nil
	})
	d.Deliver(t, []byte("this is not a mail at all\r\n"))
	d.Deliver(t, corpus(t, "auto-submitted"))
	d.Deliver(t, corpus(t, "gb2312-alternative"))
	p := &email.IMAPPoller{Server: email.ServerConfig{Host: "127.0.0.1", Port: d.Port, TLS: email.TLSNone, Username: d.User, Password: d.Password},
		Deliver: deliver, PollInterval: time.Hour, RetryInterval: 100 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)

	t.Run("a malformed mail and an auto-reply do not hold up the mail behind them", func(t *testing.T) {
		select {
		case ev := <-published:
			if ev.ExternalID != "gb1@example.cn" || ev.Sender.ID != "wang@example.cn" {
				t.Fatalf("published %+v", ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the customer's mail was never published")
		}
	})
	t.Run("all three are marked seen, nothing else was published", func(t *testing.T) {
		waitIdling(t, p)
		flags := d.Flags(t, "INBOX")
		if len(flags) != 3 {
			t.Fatalf("flags %v", flags)
		}
		for uid, f := range flags {
			if !strings.Contains(f, `\Seen`) {
				t.Fatalf("uid %s flags %q", uid, f)
			}
		}
		select {
		case ev := <-published:
			t.Fatalf("also published %+v", ev)
		default:
		}
	})
}

func TestIMAPPollerStopsOnRefusedLogin(t *testing.T) {
	d := mailtest.StartDovecot(t, nil, "auth_failure_delay = 0")
	p := &email.IMAPPoller{Server: email.ServerConfig{Host: "127.0.0.1", Port: d.Port, TLS: email.TLSNone, Username: d.User, Password: "wrong"},
		Deliver: func(context.Context, []byte) error { return nil }, RetryInterval: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Run(ctx); parley.ErrorCode(err) != parley.EUNAUTHORIZED {
		t.Fatalf("Run = %v, want unauthorized", err)
	}
}

func TestIMAPPollerOverImplicitTLS(t *testing.T) {
	cert := mailtest.MustCert(t, t.TempDir())
	d := mailtest.StartDovecot(t, cert, "")
	d.Deliver(t, testMail("imaps@customer.example"))
	b := newInbox()
	MustStartPoller(t, d, b, cert, func(p *email.IMAPPoller) {
		p.Server.TLS, p.Server.Port = email.TLSImplicit, d.TLSPort
	})
	b.wantMail(t, "imaps@customer.example", 10*time.Second)
}

// savedCheckpoints keeps what a poller persisted, like the database does.
type savedCheckpoints struct {
	mu   sync.Mutex
	last email.Checkpoint
	n    int
}

func (s *savedCheckpoints) save(_ context.Context, c email.Checkpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last, s.n = c, s.n+1
	return nil
}

func (s *savedCheckpoints) get() email.Checkpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// runPollerUntilIdle runs a poller resumed from saved until it idles with
// want delivered, then stops it.
func runPollerUntilIdle(t *testing.T, d *mailtest.Dovecot, b *inbox, saved *savedCheckpoints, want ...string) {
	t.Helper()
	p := &email.IMAPPoller{Server: email.ServerConfig{Host: "127.0.0.1", Port: d.Port, TLS: email.TLSNone, Username: d.User, Password: d.Password},
		Deliver: b.deliver, PollInterval: time.Hour, SaveCheckpoint: saved.save}
	p.SetCheckpoint(saved.get())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	for _, id := range want {
		b.wantMail(t, id, 10*time.Second)
	}
	waitIdling(t, p)
	b.wantNothing(t, 300*time.Millisecond)
	cancel()
	<-done
}

// TestIMAPPollerCheckpoint restarts a poller from its saved checkpoint: a
// handled mail left unseen (a crash before \Seen) is not fetched again, a
// mail someone read while Parley was down is not missed, and after the
// mailbox's UIDVALIDITY changes its mail is fetched although its UIDs are
// below the old checkpoint.
func TestIMAPPollerCheckpoint(t *testing.T) {
	d := mailtest.StartDovecot(t, nil, "")
	b := newInbox()
	var saved savedCheckpoints
	d.Deliver(t, testMail("one@customer.example"))
	d.Deliver(t, testMail("two@customer.example"))
	runPollerUntilIdle(t, d, b, &saved, "one@customer.example", "two@customer.example")
	first := saved.get()
	if first.UIDValidity == 0 || first.LastUID != 2 {
		t.Fatalf("checkpoint after two mails = %+v", first)
	}

	d.Doveadm(t, "flags remove", `\Seen`, "mailbox", "INBOX", "uid", "2")
	d.Deliver(t, testMail("three@customer.example"))
	d.Doveadm(t, "flags add", `\Seen`, "mailbox", "INBOX", "uid", "3")
	runPollerUntilIdle(t, d, b, &saved, "three@customer.example")
	if c := saved.get(); c.LastUID != 3 || c.UIDValidity != first.UIDValidity {
		t.Fatalf("checkpoint after the restart = %+v", c)
	}

	// Empty the mailbox and drop Dovecot's UID list and indexes: it starts
	// a new UIDVALIDITY and numbers mail from 1 again. Dovecot takes the new
	// UIDVALIDITY from the clock in seconds, so a run faster than a second
	// got the old value back (and mail four was rightly skipped): let the
	// second turn first.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
	d.Doveadm(t, "expunge", "mailbox", "INBOX", "all")
	state, _ := filepath.Glob(filepath.Join(d.Dir, "mail", d.User, "dovecot*"))
	for _, f := range state {
		if err := os.RemoveAll(f); err != nil {
			t.Fatal(err)
		}
	}
	d.Deliver(t, testMail("four@customer.example"))
	runPollerUntilIdle(t, d, b, &saved, "four@customer.example")
	if c := saved.get(); c.UIDValidity == first.UIDValidity || c.LastUID != 1 {
		t.Fatalf("checkpoint after UIDVALIDITY changed = %+v (was %+v)", c, first)
	}
}

// TestIMAPPollerFailureInsideAFetchedChunk: mail is fetched in chunks, but
// a failure in the middle of one marks only the mail before it handled.
func TestIMAPPollerFailureInsideAFetchedChunk(t *testing.T) {
	d := mailtest.StartDovecot(t, nil, "")
	for _, id := range []string{"one", "two", "three"} {
		d.Deliver(t, testMail(id+"@customer.example"))
	}
	b := newInbox()
	var mu sync.Mutex
	refuse := "two@customer.example"
	p := MustStartPoller(t, d, b, nil, func(p *email.IMAPPoller) {
		p.Deliver = func(ctx context.Context, raw []byte) error {
			m, err := mailparse.Parse(raw)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if m.MessageID == refuse {
				return errors.New("inbound stream unavailable")
			}
			return b.deliver(ctx, raw)
		}
	})
	b.wantMail(t, "one@customer.example", 10*time.Second)
	time.Sleep(500 * time.Millisecond) // a few retry rounds
	flags := d.Flags(t, "INBOX")
	if !strings.Contains(flags["1"], `\Seen`) || strings.Contains(flags["2"], `\Seen`) || strings.Contains(flags["3"], `\Seen`) {
		t.Fatalf("flags %q: want only uid 1 seen", flags)
	}
	mu.Lock()
	refuse = ""
	mu.Unlock()
	b.wantMail(t, "two@customer.example", 10*time.Second)
	b.wantMail(t, "three@customer.example", 10*time.Second)
	waitIdling(t, p)
	b.wantNothing(t, 300*time.Millisecond)
	if c := p.Checkpoint(); c.LastUID != 3 {
		t.Errorf("checkpoint %+v", c)
	}
}
