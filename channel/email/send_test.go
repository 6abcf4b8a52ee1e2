package email_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email"
	"github.com/parleyhq/parley/channel/email/mailparse"
	"github.com/parleyhq/parley/channel/email/mailtest"
)

// captureAdapter is an adapter that sends to the capture server.
func captureAdapter(tb testing.TB, s *mailtest.SMTPCapture, password string) *email.Adapter {
	tb.Helper()
	cfg := map[string]string{"smtp_port": strconv.Itoa(s.Port), "smtp_tls": s.TLS}
	if s.User != "" {
		cfg["smtp_username"], cfg["smtp_password"] = s.User, password
	}
	a := MustAdapter(tb, cfg)
	if s.Cert != nil {
		a.TLSConfig = s.Cert.ClientTLS()
	}
	return a
}

// reply is an agent's answer in the thread of the customer's first mail.
func reply(to string) parley.OutboundMessage {
	token := email.Token("first@customer.example")
	return parley.OutboundMessage{
		Conversation: &parley.Conversation{ID: 3, Number: 1042, Subject: "Where is my order? 📦", ThreadKey: token},
		Contact:      &parley.Contact{ID: 9, Name: "Ana Lima"},
		Recipient:    &parley.Identity{Kind: parley.IdentityEmail, Value: to},
		Message: &parley.Message{ID: 77, Body: "Hello Ana,\n\nit ships today <3\nBo", ReplyToID: "second@customer.example",
			Metadata: map[string]string{email.MetaReferences: "first@customer.example second@customer.example"}},
	}
}

func TestSendThreadsTheReply(t *testing.T) {
	s := mailtest.StartSMTPCapture(t, "starttls", "agent@parley.example", "pa55word")
	a := captureAdapter(t, s, "pa55word")
	m := reply("ana@customer.example")
	res, err := a.Send(context.Background(), m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := s.Messages(t)
	if len(got) != 1 {
		t.Fatalf("captured %d mails", len(got))
	}
	sent, err := mailparse.Parse(got[0])
	if err != nil {
		t.Fatal(err)
	}
	token := m.Conversation.ThreadKey
	t.Run("Message-ID is the ExternalID and carries the thread token", func(t *testing.T) {
		if res.Status != parley.MessageSent || sent.MessageID != res.ExternalID || !strings.HasPrefix(res.ExternalID, token+".") {
			t.Fatalf("result %+v, Message-ID %q", res, sent.MessageID)
		}
	})
	t.Run("In-Reply-To and References continue the thread", func(t *testing.T) {
		if strings.Join(sent.InReplyTo, " ") != "second@customer.example" ||
			strings.Join(sent.References, " ") != "first@customer.example second@customer.example" {
			t.Fatalf("In-Reply-To %q References %q", sent.InReplyTo, sent.References)
		}
	})
	t.Run("addresses, subject and loop guard", func(t *testing.T) {
		if sent.From.Addr != "support@parley.example" || sent.From.Name != "Parley Support" {
			t.Fatalf("From = %+v", sent.From)
		}
		if len(sent.ReplyTo) != 1 || sent.ReplyTo[0].Addr != "support+"+token+"@parley.example" {
			t.Fatalf("Reply-To = %+v", sent.ReplyTo)
		}
		if len(sent.To) != 1 || sent.To[0].Addr != "ana@customer.example" || sent.To[0].Name != "Ana Lima" {
			t.Fatalf("To = %+v", sent.To)
		}
		if sent.Subject != "Re: Where is my order? 📦" || sent.Header("X-Loop") != "support@parley.example" {
			t.Fatalf("Subject %q X-Loop %q", sent.Subject, sent.Header("X-Loop"))
		}
		if env := sent.Header("X-Envelope-From"); env != "support@parley.example" {
			t.Fatalf("envelope sender %q", env)
		}
	})
	t.Run("text and escaped HTML alternatives", func(t *testing.T) {
		if sent.Text != "Hello Ana,\n\nit ships today <3\nBo" {
			t.Fatalf("Text = %q", sent.Text)
		}
		if !strings.Contains(sent.HTML, "it ships today &lt;3<br>") {
			t.Fatalf("HTML = %q", sent.HTML)
		}
	})
	t.Run("the customer's answer lands in the same thread", func(t *testing.T) {
		answer := mail("From: Ana <ana@customer.example>\nTo: "+sent.ReplyTo[0].Addr+"\nMessage-ID: <third@customer.example>\nIn-Reply-To: <"+sent.MessageID+">", "Thanks!")
		evs := MustParse(t, a, answer)
		if len(evs) != 1 || evs[0].ThreadKey != token || evs[0].ReplyTo != res.ExternalID {
			t.Fatalf("events %+v", evs)
		}
	})
	t.Run("a bounce of it fails this very message", func(t *testing.T) {
		bounce := mail("From: MAILER-DAEMON@mx.example\nTo: support@parley.example\nMessage-ID: <b1@mx.example>\nContent-Type: multipart/report; report-type=delivery-status; boundary=b",
			"--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; ana@customer.example\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"+
				strings.SplitN(string(got[0]), "\r\n\r\n", 2)[0]+"\r\n\r\nbody\r\n--b--\r\n")
		evs := MustParse(t, a, bounce)
		if len(evs) != 1 || evs[0].Targets[0] != res.ExternalID || evs[0].FailureCode != "5.2.2" || evs[0].Status != parley.MessageFailed {
			t.Fatalf("events %+v", evs)
		}
	})
}

func TestSendOverImplicitTLS(t *testing.T) {
	s := mailtest.StartSMTPCapture(t, "tls", "", "")
	a := captureAdapter(t, s, "")
	if _, err := a.Send(context.Background(), reply("bo@customer.example")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n := len(s.Messages(t)); n != 1 {
		t.Fatalf("captured %d mails", n)
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	s := mailtest.StartSMTPCapture(t, "starttls", "agent@parley.example", "pa55word")
	for _, c := range []struct {
		name     string
		adapter  func() *email.Adapter
		to       string
		class    parley.SendErrorClass
		code     string
		inReason string
	}{
		{"unknown recipient is permanent with the server's words",
			func() *email.Adapter { return captureAdapter(t, s, "pa55word") }, "reject-perm@customer.example",
			parley.SendPermanent, "550 5.1.1", "User unknown"},
		{"busy mailbox is transient",
			func() *email.Adapter { return captureAdapter(t, s, "pa55word") }, "reject-temp@customer.example",
			parley.SendTransient, "451 4.3.0", "try again later"},
		{"wrong password is auth",
			func() *email.Adapter { return captureAdapter(t, s, "wrong") }, "ana@customer.example",
			parley.SendAuth, "535 5.7.8", ""},
		{"an untrusted certificate is auth (an admin must fix it)",
			func() *email.Adapter { a := captureAdapter(t, s, "pa55word"); a.TLSConfig = nil; return a }, "ana@customer.example",
			parley.SendAuth, "", "certificate"},
		{"no server listening is transient",
			func() *email.Adapter {
				return MustAdapter(t, map[string]string{"smtp_port": strconv.Itoa(mailtest.FreePort(t))})
			}, "ana@customer.example",
			parley.SendTransient, "", "connection"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.adapter().Send(context.Background(), reply(c.to))
			var se *parley.SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *parley.SendError", err)
			}
			if se.Class != c.class || se.Code != c.code || !strings.Contains(se.Reason, c.inReason) {
				t.Fatalf("SendError = class %q code %q reason %q (%v)", se.Class, se.Code, se.Reason, se.Err)
			}
		})
	}
	if n := len(s.Messages(t)); n != 0 {
		t.Fatalf("%d mails got through", n)
	}
	t.Run("no address to send to is permanent", func(t *testing.T) {
		m := reply("")
		m.Recipient = nil
		_, err := captureAdapter(t, s, "pa55word").Send(context.Background(), m)
		var se *parley.SendError
		if !errors.As(err, &se) || se.Class != parley.SendPermanent {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestSendFilesAndCc(t *testing.T) {
	s := mailtest.StartSMTPCapture(t, "none", "", "")
	a := captureAdapter(t, s, "")
	pdf := []byte("%PDF-1.4 invoice")
	a.LoadAttachment = func(_ context.Context, att parley.Attachment) ([]byte, error) {
		if att.StorageKey != "files/invoice.pdf" {
			return nil, errors.New("no such file")
		}
		return pdf, nil
	}
	m := reply("ana@customer.example")
	m.Message.Attachments = []parley.Attachment{{Type: "file", ContentType: "application/pdf", Filename: "Rechnung März.pdf", StorageKey: "files/invoice.pdf"}}
	m.Message.Metadata[email.MetaCc] = "bo@customer.example, ANA@customer.example, support+x@parley.example"
	if _, err := a.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	sent, err := mailparse.Parse(s.Messages(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the file is attached with its name", func(t *testing.T) {
		if len(sent.Attachments) != 1 || sent.Attachments[0].Filename != "Rechnung März.pdf" ||
			sent.Attachments[0].ContentType != "application/pdf" || string(sent.Attachments[0].Data) != string(pdf) {
			t.Fatalf("attachments %+v", sent.Attachments)
		}
		if sent.Text != m.Message.Body {
			t.Fatalf("Text = %q", sent.Text)
		}
	})
	t.Run("Cc lists the others once, never the customer or ourselves", func(t *testing.T) {
		if len(sent.Cc) != 1 || sent.Cc[0].Addr != "bo@customer.example" {
			t.Fatalf("Cc = %+v", sent.Cc)
		}
		if env := sent.Header("X-Envelope-To"); env != "ana@customer.example,bo@customer.example" {
			t.Fatalf("envelope recipients %q", env)
		}
	})
	t.Run("a file that cannot be loaded is a transient failure", func(t *testing.T) {
		m.Message.Attachments[0].StorageKey = "files/gone.pdf"
		_, err := a.Send(context.Background(), m)
		var se *parley.SendError
		if !errors.As(err, &se) || se.Class != parley.SendTransient {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a channel that cannot load files fails the message", func(t *testing.T) {
		a.LoadAttachment = nil
		_, err := a.Send(context.Background(), m)
		var se *parley.SendError
		if !errors.As(err, &se) || se.Class != parley.SendPermanent {
			t.Fatalf("err = %v", err)
		}
		if len(a.Capabilities().Media) != 0 {
			t.Fatal("capabilities offer media without a loader")
		}
	})
}
