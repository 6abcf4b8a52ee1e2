package app_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/smtp"
	"net/textproto"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
	"github.com/parleyhq/parley/channel/email/mailtest"
)

const swaksBin = "/usr/bin/swaks"

// TestSMTPEndpoint runs `parley serve`'s own SMTP endpoint: mail sent to
// a channel's address (or its plus-address, or forwarded to a shared
// address) becomes a ticket on the right channel, unknown recipients are
// refused at RCPT, and nothing is acknowledged that is not durably queued.
func TestSMTPEndpoint(t *testing.T) {
	mailtest.RequireBinary(t, swaksBin)
	cert := mailtest.MustCert(t, t.TempDir())
	var support, sales int64
	a := mustNewAppWith(t, func(c *app.Config) {
		c.SMTPAddr = "127.0.0.1:0"
		c.SMTPHostname = "mx.parley.test"
		c.SMTPTLSCert, c.SMTPTLSKey = cert.CertFile, cert.KeyFile
		c.SMTPMaxBytes = 64 << 10
	}, func(a *app.App) {
		support = mustEmailChannel(t, a, "support@example.com", "forwarded@mx.parley.test")
		sales = mustEmailChannel(t, a, "sales@shop.example", "forwarded@mx.parley.test")
	})
	port := a.SMTPAddr()[strings.LastIndex(a.SMTPAddr(), ":")+1:]
	c := mustSignIn(t, a)

	var first *parley.Conversation
	t.Run("mail to a channel's address becomes a ticket on that channel", func(t *testing.T) {
		out, ok := runSwaks(t, port, "--to", "Support@Example.com", "--from", "ana@customer.example",
			"--header", "Subject: Order 1042", "--header", "Message-Id: <smtp-1@customer.example>", "--body", "Where is my order?")
		if !ok {
			t.Fatalf("refused:\n%s", out)
		}
		if !strings.Contains(out, "250 ") || !strings.Contains(out, "mx.parley.test") {
			t.Errorf("transcript:\n%s", out)
		}
		eventually(t, 20*time.Second, "ticket on the support channel", func() bool {
			if convs := conversationsOn(c, support); len(convs) == 1 {
				first = convs[0]
			}
			return first != nil
		})
		if msgs := messagesOf(c, first.ID); len(msgs) != 1 || msgs[0].Body != "Where is my order?" || msgs[0].ExternalID != "smtp-1@customer.example" {
			t.Fatalf("thread = %+v", msgs)
		}
	})
	t.Run("a plus-addressed ticket token threads into its ticket, over STARTTLS", func(t *testing.T) {
		if first == nil || first.ThreadKey == "" {
			t.Fatal("no first ticket")
		}
		rcpt := "support+" + first.ThreadKey + "@example.com"
		body := "From: ana@customer.example\r\nTo: " + rcpt + "\r\nSubject: more\r\nMessage-ID: <smtp-2@customer.example>\r\n\r\nAnd the invoice?\r\n"
		if err := sendSMTP(t, port, cert, "ana@customer.example", []string{rcpt}, body); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "second mail in the first ticket", func() bool { return len(messagesOf(c, first.ID)) == 2 })
		if n := len(conversationsOn(c, support)); n != 1 {
			t.Errorf("%d tickets on the support channel", n)
		}
	})
	t.Run("a forwarded mail goes to the channel its original recipient names", func(t *testing.T) {
		body := "From: bo@customer.example\r\nX-Original-To: sales@shop.example\r\nTo: sales@shop.example\r\nSubject: quote\r\n" +
			"Message-ID: <smtp-3@customer.example>\r\n\r\nA quote for 40 chairs, please.\r\n"
		if err := sendSMTP(t, port, nil, "bo@customer.example", []string{"forwarded@mx.parley.test"}, body); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "ticket on the sales channel", func() bool { return len(conversationsOn(c, sales)) == 1 })
		if n := len(conversationsOn(c, support)); n != 1 {
			t.Errorf("the forwarded mail also reached the support channel: %d tickets", n)
		}
	})
	t.Run("unknown recipients are refused at RCPT with 550", func(t *testing.T) {
		err := sendSMTP(t, port, nil, "eve@customer.example", []string{"nobody@example.com"}, "Subject: x\r\n\r\nx\r\n")
		var tp *textproto.Error
		if !errors.As(err, &tp) || tp.Code != 550 {
			t.Fatalf("err = %v, want 550 at RCPT", err)
		}
		out, ok := runSwaks(t, port, "--to", "sales@example.com")
		if ok || !strings.Contains(out, "<** 550 5.1.1") {
			t.Fatalf("accepted or wrong answer:\n%s", out)
		}
	})
	t.Run("mail over the size limit is refused with 552", func(t *testing.T) {
		out, ok := runSwaks(t, port, "--to", "support@example.com", "--body", strings.Repeat("0123456789abcdef\n", 5000))
		if ok || !strings.Contains(out, "552") {
			t.Fatalf("accepted or wrong answer:\n%s", out)
		}
	})
	t.Run("with the inbound stream down the sender is asked to retry (4xx)", func(t *testing.T) {
		if err := a.Bus.Close(); err != nil {
			t.Fatal(err)
		}
		out, ok := runSwaks(t, port, "--to", "support@example.com", "--header", "Message-Id: <smtp-4@customer.example>")
		if ok || !strings.Contains(out, "<** 451 4.3.0") {
			t.Fatalf("accepted or wrong answer:\n%s", out)
		}
	})
}

// mustEmailChannel creates an active e-mail channel receiving for address
// and the shared forwarding address alias.
func mustEmailChannel(t testing.TB, a *app.App, address, alias string) int64 {
	t.Helper()
	ch := &parley.Channel{Platform: parley.PlatformEmail, Name: address, Status: parley.ChannelActive,
		Config: map[string]string{"from_address": address, "inbound_addresses": alias}}
	if err := a.Store.CreateChannel(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	return ch.ID
}

// runSwaks sends one mail with swaks and returns its transcript and
// whether the server accepted it.
func runSwaks(t testing.TB, port string, args ...string) (string, bool) {
	t.Helper()
	base := []string{"--server", "127.0.0.1", "--port", port, "--helo", "client.example", "--timeout", "20"}
	if !contains(args, "--from") {
		base = append(base, "--from", "ana@customer.example")
	}
	out, err := exec.Command(swaksBin, append(base, args...)...).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("swaks: %v", err)
	}
	return string(out), err == nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sendSMTP speaks SMTP with net/smtp, over STARTTLS when cert is given
// (trusting only that certificate).
func sendSMTP(t testing.TB, port string, cert *mailtest.Cert, from string, to []string, body string) error {
	t.Helper()
	c, err := smtp.Dial("127.0.0.1:" + port)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.example"); err != nil {
		return err
	}
	if cert != nil {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("no STARTTLS offered")
		}
		if err := c.StartTLS(cert.ClientTLS()); err != nil {
			return err
		}
		if _, ok := c.TLSConnectionState(); !ok {
			return fmt.Errorf("not encrypted after STARTTLS")
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, rc := range to {
		if err := c.Rcpt(rc); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(body)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// TestSMTPConfig: the endpoint's settings come from flags, PARLEY_*
// variables and the JSON file like every other setting, and it is off
// unless an address is given.
func TestSMTPConfig(t *testing.T) {
	if app.Defaults().SMTPAddr != "" {
		t.Fatal("the SMTP endpoint is on by default")
	}
	file := filepath.Join(t.TempDir(), "parley.json")
	mailtest.MustWrite(t, file, []byte(`{"smtp_hostname":"mx.example.com","smtp_addr":":2500"}`))
	t.Setenv("PARLEY_SMTP_MAX_BYTES", "1048576")
	cfg, err := app.Load(flag.NewFlagSet("serve", flag.ContinueOnError), []string{"--config", file, "--smtp-addr", ":2525"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPAddr != ":2525" || cfg.SMTPHostname != "mx.example.com" || cfg.SMTPMaxBytes != 1<<20 {
		t.Errorf("cfg = %+v", cfg)
	}
	if _, err := app.Load(flag.NewFlagSet("serve", flag.ContinueOnError), []string{"--smtp-tls-cert", "cert.pem"}); err == nil {
		t.Error("a certificate without its key was accepted")
	}
}
