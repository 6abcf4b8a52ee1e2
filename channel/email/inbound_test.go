package email_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email"
)

// MustAdapter builds the adapter of a test channel whose address is
// support@parley.example; extra config entries override the defaults.
func MustAdapter(tb testing.TB, extra map[string]string) *email.Adapter {
	tb.Helper()
	cfg := map[string]string{"from_address": "Support <support@parley.example>", "from_name": "Parley Support",
		"smtp_host": "127.0.0.1", "smtp_port": "1", "smtp_tls": "none"}
	for k, v := range extra {
		cfg[k] = v
	}
	secrets := map[string]string{}
	if p, ok := cfg["smtp_password"]; ok {
		secrets["smtp_password"] = p
		delete(cfg, "smtp_password")
	}
	a, err := email.NewAdapter(&parley.Channel{ID: 7, Platform: parley.PlatformEmail, Config: cfg, Secrets: secrets})
	if err != nil {
		tb.Fatal(err)
	}
	a.Timeout = 10 * time.Second
	return a
}

// MustParse runs ParseWebhook and fails the test on error.
func MustParse(tb testing.TB, a *email.Adapter, raw []byte) []*parley.InboundEvent {
	tb.Helper()
	evs, err := a.ParseWebhook(raw)
	if err != nil {
		tb.Fatalf("ParseWebhook: %v", err)
	}
	return evs
}

func corpus(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".eml"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mail(headers, body string) []byte {
	return []byte(strings.ReplaceAll(headers, "\n", "\r\n") + "\r\n\r\n" + body)
}

func TestInboundMessage(t *testing.T) {
	a := MustAdapter(t, nil)
	evs := MustParse(t, a, corpus(t, "utf8-qp-quoted"))
	if len(evs) != 1 {
		t.Fatalf("got %d events", len(evs))
	}
	ev := evs[0]
	t.Run("sender is the verified, case-folded From address", func(t *testing.T) {
		want := parley.Sender{Kind: parley.IdentityEmail, ID: "ana@example.com", Name: "Ana Lima ✓", Verified: true}
		if ev.Sender.Kind != want.Kind || ev.Sender.ID != want.ID || ev.Sender.Name != want.Name || !ev.Sender.Verified {
			t.Fatalf("Sender = %+v", ev.Sender)
		}
	})
	t.Run("ids, subject and time", func(t *testing.T) {
		if ev.Kind != parley.InboundMessage || ev.ChannelID != 7 || ev.Platform != parley.PlatformEmail || ev.Direction != parley.DirectionIn {
			t.Fatalf("event = %+v", ev)
		}
		if ev.ExternalID != "CAF=ana1@mail.example.com" || ev.ReplyTo != "root-1@parley.example" || ev.Subject != "Where is my order? 📦" {
			t.Fatalf("ExternalID %q ReplyTo %q Subject %q", ev.ExternalID, ev.ReplyTo, ev.Subject)
		}
		if got := ev.Metadata[email.MetaSubject]; got != ev.Subject {
			t.Fatalf("subject in metadata = %q, want %q", got, ev.Subject)
		}
		if !ev.Timestamp.Equal(time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)) {
			t.Fatalf("Timestamp = %v", ev.Timestamp)
		}
	})
	t.Run("thread key is the token of the first References id", func(t *testing.T) {
		if ev.ThreadKey != email.Token("root-1@parley.example") || ev.Metadata[email.MetaThreadRoot] != "root-1@parley.example" {
			t.Fatalf("ThreadKey = %q, root %q", ev.ThreadKey, ev.Metadata[email.MetaThreadRoot])
		}
	})
	t.Run("text is the new reply; history and signature are kept beside it", func(t *testing.T) {
		if ev.Text != "Hi team,\n\nMy order #1042 hasn’t arrived — could you check? Ünïcödé ✓" {
			t.Fatalf("Text = %q", ev.Text)
		}
		full := ev.Metadata[email.MetaFullText]
		if !strings.Contains(full, ev.Text) || !strings.Contains(full, "> It ships tomorrow.") || !strings.Contains(full, "Lima & Co") {
			t.Fatalf("full text = %q", full)
		}
		if !strings.HasPrefix(ev.Metadata[email.MetaQuoted], "On Thu, Feb 29") || ev.Metadata[email.MetaSignature] != "-- \nAna Lima\nLima & Co" {
			t.Fatalf("metadata = %q", ev.Metadata)
		}
	})
	t.Run("references for the reply and the other recipients", func(t *testing.T) {
		if got := ev.Metadata[email.MetaReferences]; got != "root-1@parley.example out-2@parley.example CAF=ana1@mail.example.com" {
			t.Fatalf("references = %q", got)
		}
		if got := ev.Metadata[email.MetaCc]; got != "bo@example.com, carl@example.com" {
			t.Fatalf("cc = %q", got)
		}
		if got := ev.Metadata[email.MetaReplyTo]; got != "ana.reply@example.com" {
			t.Fatalf("reply-to = %q", got)
		}
	})
}

func TestInboundThreadKey(t *testing.T) {
	a := MustAdapter(t, nil)
	token := email.Token("first@customer.example")
	for _, c := range []struct{ name, headers, want string }{
		{"a new mail is the root of its own thread",
			"From: c@customer.example\nTo: support@parley.example\nMessage-ID: <first@customer.example>", token},
		{"plus-address in To wins over References",
			"From: c@customer.example\nTo: Support <support+" + token + "@parley.example>\nMessage-ID: <x1@customer.example>\nReferences: <other@elsewhere>", token},
		{"plus-address in Cc",
			"From: c@customer.example\nTo: someone@else.example\nCc: SUPPORT+" + strings.ToUpper(token) + "@parley.example\nMessage-ID: <x2@customer.example>", token},
		{"plus-address in Delivered-To (forwarded or Bcc)",
			"Delivered-To: support+" + token + "@parley.example\nFrom: c@customer.example\nTo: list@else.example\nMessage-ID: <x3@customer.example>", token},
		{"In-Reply-To one of our Message-IDs without References",
			"From: c@customer.example\nTo: support@parley.example\nMessage-ID: <x4@customer.example>\nIn-Reply-To: <" + token + ".abcdefghij234567@parley.example>", token},
		{"first References id when there is no token",
			"From: c@customer.example\nTo: support@parley.example\nMessage-ID: <x5@customer.example>\nReferences: <first@customer.example> <mid@customer.example>\nIn-Reply-To: <mid@customer.example>", token},
		{"In-Reply-To when there are no References",
			"From: c@customer.example\nTo: support@parley.example\nMessage-ID: <x6@customer.example>\nIn-Reply-To: <first@customer.example>", token},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs := MustParse(t, a, mail(c.headers, "hello"))
			if len(evs) != 1 || evs[0].ThreadKey != c.want {
				t.Fatalf("events %+v, want thread %q", evs, c.want)
			}
		})
	}
}

func TestInboundDropsMachineMail(t *testing.T) {
	a := MustAdapter(t, nil)
	for _, name := range []string{"auto-submitted", "x-autorespond", "x-autoreply", "precedence-auto-reply", "precedence-junk", "precedence-bulk", "precedence-list", "dsn-delayed-headers"} {
		t.Run(name, func(t *testing.T) {
			if evs := MustParse(t, a, corpus(t, name)); len(evs) != 0 {
				t.Fatalf("got events %+v", evs)
			}
		})
	}
	t.Run("mail from the channel's own address (loop)", func(t *testing.T) {
		if evs := MustParse(t, a, mail("From: SUPPORT@parley.example\nTo: support@parley.example\nMessage-ID: <l1@x>", "hi")); len(evs) != 0 {
			t.Fatalf("got events %+v", evs)
		}
	})
	t.Run("mail from one of the channel's plus-addresses (loop)", func(t *testing.T) {
		if evs := MustParse(t, a, mail("From: support+t2345@parley.example\nTo: support@parley.example\nMessage-ID: <l3@x>", "hi")); len(evs) != 0 {
			t.Fatalf("got events %+v", evs)
		}
	})
	t.Run("mail carrying our X-Loop", func(t *testing.T) {
		if evs := MustParse(t, a, mail("From: fwd@customer.example\nX-Loop: support@parley.example\nMessage-ID: <l2@x>", "hi")); len(evs) != 0 {
			t.Fatalf("got events %+v", evs)
		}
	})
	t.Run("a person's mail is kept", func(t *testing.T) {
		if evs := MustParse(t, a, mail("From: p@customer.example\nAuto-Submitted: no\nMessage-ID: <p1@x>", "hi")); len(evs) != 1 {
			t.Fatalf("got events %+v", evs)
		}
	})
}

func TestInboundBounceBecomesFailedReceipt(t *testing.T) {
	a := MustAdapter(t, nil)
	evs := MustParse(t, a, corpus(t, "dsn-postfix"))
	if len(evs) != 1 {
		t.Fatalf("got %d events", len(evs))
	}
	ev := evs[0]
	if ev.Kind != parley.InboundReceipt || ev.Status != parley.MessageFailed {
		t.Fatalf("event = %+v", ev)
	}
	if len(ev.Targets) != 1 || ev.Targets[0] != "parley.7.abc@parley.example" {
		t.Fatalf("Targets = %q", ev.Targets)
	}
	if ev.FailureCode != "5.1.1" || !strings.Contains(ev.FailureReason, "bob@example.net: 550 5.1.1") || !strings.Contains(ev.FailureReason, "User unknown") {
		t.Fatalf("failure %q %q", ev.FailureCode, ev.FailureReason)
	}
	if ev.Sender.ID != "bob@example.net" || ev.Sender.Verified {
		t.Fatalf("Sender = %+v", ev.Sender)
	}
}

func TestInboundAttachments(t *testing.T) {
	a := MustAdapter(t, nil)
	var saved []string
	a.SaveAttachment = func(_ context.Context, att parley.Attachment, data []byte) (string, error) {
		if int64(len(data)) != att.Size {
			t.Errorf("%s: %d bytes for size %d", att.Filename, len(data), att.Size)
		}
		saved = append(saved, att.Filename)
		return "files/" + att.Filename, nil
	}
	evs := MustParse(t, a, corpus(t, "related-inline-attachments"))
	atts := evs[0].Attachments
	if len(atts) != 3 || len(saved) != 3 {
		t.Fatalf("attachments %+v, saved %q", atts, saved)
	}
	if atts[0].Type != "image" || atts[0].PlatformID != "cid:shot.1@example.com" || atts[0].StorageKey != "files/shot.png" {
		t.Fatalf("inline image = %+v", atts[0])
	}
	if atts[2].Type != "file" || atts[2].Filename != "合同.docx" || atts[2].Size != 15 {
		t.Fatalf("attachment = %+v", atts[2])
	}
	if !strings.Contains(evs[0].Metadata[email.MetaHTML], `src="cid:shot.1@example.com"`) {
		t.Fatalf("html = %q", evs[0].Metadata[email.MetaHTML])
	}
}

func TestInboundRefusals(t *testing.T) {
	a := MustAdapter(t, nil)
	for _, c := range []struct{ name, raw string }{
		{"not a mail", "garbage without headers"},
		{"no sender", "To: support@parley.example\r\nMessage-ID: <n@x>\r\n\r\nhi"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := a.ParseWebhook([]byte(c.raw)); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
		})
	}
	t.Run("webhooks are refused", func(t *testing.T) {
		err := a.VerifyWebhook(httptest.NewRequest("POST", "/hooks/email/7", nil), []byte("From: x@y\r\n\r\nhi"))
		if parley.ErrorCode(err) != parley.EUNAUTHORIZED {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  map[string]string
	}{
		{"no from address", map[string]string{}},
		{"from address without domain", map[string]string{"from_address": "support"}},
		{"unknown tls mode", map[string]string{"from_address": "s@x.example", "smtp_tls": "ssl3"}},
		{"port out of range", map[string]string{"from_address": "s@x.example", "smtp_port": "70000"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := email.New(&parley.Channel{ID: 1, Platform: parley.PlatformEmail, Config: c.cfg})
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// FuzzParseWebhook feeds arbitrary bytes to the adapter: it must never
// panic, fail only with EINVALID, and every message event must carry a
// thread token and a folded sender address.
func FuzzParseWebhook(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	a := MustAdapter(f, nil)
	a.Logger = slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, raw []byte) {
		evs, err := a.ParseWebhook(raw)
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("error %v", err)
			}
			return
		}
		for _, ev := range evs {
			if ev.Kind == parley.InboundMessage && (!email.IsToken(ev.ThreadKey) || ev.Sender.ID != strings.ToLower(ev.Sender.ID) || ev.ExternalID == "") {
				t.Fatalf("event %+v", ev)
			}
		}
	})
}

func TestInboundEventStaysPublishable(t *testing.T) {
	a := MustAdapter(t, nil)
	text := strings.Repeat("日本語のテキスト ", 40000) // ~1 MB of text
	html := "<p>" + strings.Repeat("big <b>html</b> ", 60000) + "</p>"
	raw := mail("From: big@customer.example\nMessage-ID: <big@x>\nContent-Type: multipart/alternative; boundary=b",
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+text+"\r\n--b\r\nContent-Type: text/html\r\n\r\n"+html+"\r\n--b--\r\n")
	ev := MustParse(t, a, raw)[0]
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 900<<10 {
		t.Fatalf("event is %d bytes", len(b))
	}
	if !utf8.ValidString(ev.Text) || !strings.HasSuffix(ev.Text, "[…]") || len(ev.Text) > email.MaxTextBytes {
		t.Fatalf("Text is %d bytes, ends %q", len(ev.Text), ev.Text[len(ev.Text)-20:])
	}
	if ev.Metadata[email.MetaHTML] != "" || ev.Metadata[email.MetaHTMLOmitted] == "" {
		t.Fatalf("html kept: %d bytes", len(ev.Metadata[email.MetaHTML]))
	}
}

func TestInboundTimestamp(t *testing.T) {
	a := MustAdapter(t, nil)
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	a.Clock = fixedClock(now)
	for _, c := range []struct {
		name, date string
		want       time.Time
	}{
		{"the Date header", "Sat, 21 Nov 2026 07:30:00 +0000", time.Date(2026, 11, 21, 7, 30, 0, 0, time.UTC)},
		{"arrival time when Date is missing", "", now},
		{"arrival time when Date lies in the future", "Sun, 22 Nov 2026 08:00:00 +0000", now},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := "From: c@customer.example\nMessage-ID: <d@x>"
			if c.date != "" {
				h += "\nDate: " + c.date
			}
			if ev := MustParse(t, a, mail(h, "hi"))[0]; !ev.Timestamp.Equal(c.want) {
				t.Fatalf("Timestamp = %v, want %v", ev.Timestamp, c.want)
			}
		})
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }
