package mailparse_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email/mailparse"
)

func TestParseRefusesWhatIsNotMail(t *testing.T) {
	nested := "Content-Type: multipart/mixed; boundary=b0\r\n\r\n"
	for i := 1; i <= mailparse.MaxDepth+2; i++ {
		nested += "--b" + strconv.Itoa(i-1) + "\r\nContent-Type: multipart/mixed; boundary=b" + strconv.Itoa(i) + "\r\n\r\n"
	}
	for _, c := range []struct{ name, raw string }{
		{"empty", ""},
		{"only blanks", " \r\n\r\n"},
		{"no header line", "just some words\r\nand more\r\n"},
		{"nested too deep", nested},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := mailparse.Parse([]byte(c.raw))
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", m)
			}
			if code := parley.ErrorCode(err); code != parley.EINVALID {
				t.Fatalf("code = %q, want %q (%v)", code, parley.EINVALID, err)
			}
		})
	}
}

func TestParseKeepsWhatItCanOfBrokenMail(t *testing.T) {
	t.Run("truncated base64 keeps the decoded head", func(t *testing.T) {
		raw := "From: a@example.com\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8gd29ybGQ=\r\n!!!"
		m, err := mailparse.Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(m.Text, "Hello world") {
			t.Fatalf("Text = %q", m.Text)
		}
	})
	t.Run("multipart without closing boundary", func(t *testing.T) {
		raw := "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n--x\r\nContent-Type: text/plain\r\n\r\nsecond"
		m, err := mailparse.Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, "first part") {
			t.Fatalf("Text = %q", m.Text)
		}
	})
	t.Run("invalid UTF-8 becomes replacement characters", func(t *testing.T) {
		raw := "From: a@example.com\r\nSubject: caf\xe9\r\n\r\nna\xefve\r\n"
		m, err := mailparse.Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != "caf\uFFFD" || m.Text != "na\uFFFDve" {
			t.Fatalf("Subject = %q, Text = %q", m.Subject, m.Text)
		}
	})
	t.Run("attachment filename loses its path", func(t *testing.T) {
		raw := "From: a@example.com\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"../../etc/passwd\"\r\n\r\nx"
		m, err := mailparse.Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Attachments) != 1 || m.Attachments[0].Filename != "passwd" {
			t.Fatalf("Attachments = %+v", m.Attachments)
		}
	})
}

func TestHeaderReturnsUnmodelledFields(t *testing.T) {
	m, err := mailparse.Parse([]byte("From: a@example.com\r\nx-parley-channel: 42\r\nList-Id: <x.example.com>\r\n\r\nhi"))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header("X-Parley-Channel"); got != "42" {
		t.Fatalf("X-Parley-Channel = %q", got)
	}
	if got := m.Header("list-id"); got != "<x.example.com>" {
		t.Fatalf("List-Id = %q", got)
	}
	if got := m.Header("X-Missing"); got != "" {
		t.Fatalf("X-Missing = %q", got)
	}
}

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, must fail
// only with EINVALID, and must return valid UTF-8 text whose folded pieces
// come from the text.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	for _, file := range files {
		f.Add(MustReadFile(f, file))
	}
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/alternative; boundary=z\r\n\r\n--z\r\nContent-Type: text/html\r\n\r\n<p>x<blockquote>y</blockquote>\r\n--z--"))
	f.Add([]byte("Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; x@y\r\nAction: failed\r\n--r--"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := mailparse.Parse(raw)
		if err != nil {
			if code := parley.ErrorCode(err); code != parley.EINVALID {
				t.Fatalf("error code %q: %v", code, err)
			}
			return
		}
		for _, s := range []string{m.Subject, m.Text, m.HTML, m.Reply.Visible, m.Reply.Quoted, m.Reply.Signature} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
		}
		for _, piece := range []string{m.Reply.Visible, m.Reply.Quoted, m.Reply.Signature} {
			if !strings.Contains(m.Text, piece) {
				t.Fatalf("folded piece %q is not in the text %q", piece, m.Text)
			}
		}
	})
}
