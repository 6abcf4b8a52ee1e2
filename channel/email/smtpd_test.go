package email_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/parleyhq/parley/channel/email"
	"github.com/parleyhq/parley/channel/email/mailparse"
	"github.com/parleyhq/parley/channel/email/mailtest"
	"github.com/parleyhq/parley/metrics"
	dto "github.com/prometheus/client_model/go"
)

const swaksBin = "/usr/bin/swaks"

// received collects what the SMTP receiver delivered.
type received struct {
	mu    sync.Mutex
	mails []*mailparse.Mail
	raws  [][]byte
	fail  bool
}

func (r *received) deliver(_ context.Context, raw []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("inbound stream unavailable")
	}
	m, err := mailparse.Parse(raw)
	if err != nil {
		return err
	}
	r.mails = append(r.mails, m)
	r.raws = append(r.raws, raw)
	return nil
}

func (r *received) all() []*mailparse.Mail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*mailparse.Mail(nil), r.mails...)
}

// MustStartReceiver serves the receiver on a loopback port until the test ends.
func MustStartReceiver(tb testing.TB, r *email.SMTPReceiver) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Serve(l) }()
	tb.Cleanup(func() {
		r.Close()
		if err := <-done; err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			tb.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

// swaks sends one mail with swaks and returns its transcript and whether
// the server accepted it.
func swaks(tb testing.TB, port int, args ...string) (string, bool) {
	tb.Helper()
	mailtest.RequireBinary(tb, swaksBin)
	base := []string{"--server", "127.0.0.1", "--port", strconv.Itoa(port), "--from", "ana@customer.example", "--helo", "client.example", "--timeout", "10"}
	out, err := exec.Command(swaksBin, append(base, args...)...).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		tb.Fatalf("swaks: %v", err)
	}
	return string(out), err == nil
}

func TestSMTPReceiver(t *testing.T) {
	var got received
	r := email.NewSMTPReceiver([]string{"Support@parley.example"}, got.deliver)
	r.MaxMessageBytes = 64 << 10
	r.Domain = "mx.parley.example"
	port := MustStartReceiver(t, r)
	token := email.Token("first@customer.example")

	t.Run("accepts mail for its address and hands it over with trace fields", func(t *testing.T) {
		out, ok := swaks(t, port, "--to", "support+"+token+"@parley.example", "--header", "Subject: Hello 你好",
			"--header", "Message-Id: <swaks-1@customer.example>", "--body", "Where is my order?")
		if !ok {
			t.Fatalf("refused:\n%s", out)
		}
		mails := got.all()
		if len(mails) != 1 {
			t.Fatalf("delivered %d mails", len(mails))
		}
		m := mails[0]
		if m.MessageID != "swaks-1@customer.example" || m.Text != "Where is my order?" || m.From.Addr != "ana@customer.example" {
			t.Fatalf("mail = %+v", m)
		}
		if len(m.DeliveredTo) != 1 || m.DeliveredTo[0] != "support+"+token+"@parley.example" || m.Header("Return-Path") != "<ana@customer.example>" {
			t.Fatalf("Delivered-To %q Return-Path %q", m.DeliveredTo, m.Header("Return-Path"))
		}
		if !strings.Contains(m.Header("Received"), "by mx.parley.example (Parley)") {
			t.Fatalf("Received = %q", m.Header("Received"))
		}
	})
	t.Run("the adapter threads it by the envelope plus-address", func(t *testing.T) {
		a := MustAdapter(t, nil)
		out, ok := swaks(t, port, "--to", "support+"+token+"@parley.example", "--header", "To: someone@else.example",
			"--header", "Message-Id: <swaks-2@customer.example>", "--body", "again")
		if !ok {
			t.Fatalf("refused:\n%s", out)
		}
		mails := got.all()
		last := mails[len(mails)-1]
		if last.MessageID != "swaks-2@customer.example" {
			t.Fatalf("last mail %q", last.MessageID)
		}
		// The delivered bytes, parsed the way the core does.
		got.mu.Lock()
		raw := got.raws[len(got.raws)-1]
		got.mu.Unlock()
		evs := MustParse(t, a, raw)
		if len(evs) != 1 || evs[0].ThreadKey != token {
			t.Fatalf("events %+v, want thread %q", evs, token)
		}
	})
	t.Run("refuses unknown recipients", func(t *testing.T) {
		n := len(got.all())
		counted := rejections("unknown_recipient")
		out, ok := swaks(t, port, "--to", "sales@parley.example")
		if ok || !strings.Contains(out, "550 5.1.1") {
			t.Fatalf("accepted or wrong answer:\n%s", out)
		}
		if c := rejections("unknown_recipient"); c != counted+1 {
			t.Errorf("refusals counted %v, want %v", c, counted+1)
		}
		if len(got.all()) != n {
			t.Fatal("a refused mail was delivered")
		}
	})
	t.Run("refuses mail over the size limit", func(t *testing.T) {
		n := len(got.all())
		out, ok := swaks(t, port, "--to", "support@parley.example", "--body", strings.Repeat("0123456789abcdef\n", 5000))
		if ok || !strings.Contains(out, "552") {
			t.Fatalf("accepted or wrong answer:\n%s", out)
		}
		if len(got.all()) != n {
			t.Fatal("an oversized mail was delivered")
		}
	})
	t.Run("asks the sender to retry when the mail cannot be taken", func(t *testing.T) {
		got.mu.Lock()
		got.fail = true
		got.mu.Unlock()
		defer func() { got.mu.Lock(); got.fail = false; got.mu.Unlock() }()
		out, ok := swaks(t, port, "--to", "support@parley.example")
		if ok || !strings.Contains(out, "451 4.3.0") {
			t.Fatalf("accepted or wrong answer:\n%s", out)
		}
	})
}

// TestSMTPReceiverLimitsSessions: a client beyond MaxConnections is only
// greeted once an open session ends.
func TestSMTPReceiverLimitsSessions(t *testing.T) {
	var got received
	r := email.NewSMTPReceiver([]string{"support@parley.example"}, got.deliver)
	r.MaxConnections = 1
	port := MustStartReceiver(t, r)
	first, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	greeting := make([]byte, 3)
	if _, err := io.ReadFull(first, greeting); err != nil || string(greeting) != "220" {
		t.Fatalf("first greeting %q, %v", greeting, err)
	}
	second, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	var firstClosed atomic.Bool
	greeted := make(chan bool, 1)
	go func() {
		b := make([]byte, 3)
		_, err := io.ReadFull(second, b)
		greeted <- err == nil && string(b) == "220" && firstClosed.Load()
	}()
	time.Sleep(300 * time.Millisecond) // room for a wrong early greeting
	firstClosed.Store(true)
	first.Close()
	if ok := <-greeted; !ok {
		t.Fatal("the second client was greeted while the first session was open (or not at all)")
	}
}

// rejections reads how many mails the endpoint refused for a reason.
func rejections(reason string) float64 {
	var m dto.Metric
	if err := metrics.InboundRejected.WithLabelValues("email", reason).Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
