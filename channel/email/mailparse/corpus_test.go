package mailparse_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel/email/mailparse"
)

// corpusDir holds the .eml files and their expected parses, written by
// testdata/gen.py with Python's codecs (independent of golang.org/x/text).
const corpusDir = "../testdata"

// expectation is the expected parse of one corpus mail.
type expectation struct {
	From         *mailparse.Address        `json:"from"`
	To           []mailparse.Address       `json:"to"`
	Cc           []mailparse.Address       `json:"cc"`
	ReplyTo      []mailparse.Address       `json:"reply_to"`
	Subject      string                    `json:"subject"`
	MessageID    string                    `json:"message_id"`
	InReplyTo    []string                  `json:"in_reply_to"`
	References   []string                  `json:"references"`
	Date         string                    `json:"date"`
	Text         string                    `json:"text"`
	Visible      string                    `json:"visible"`
	Quoted       string                    `json:"quoted"`
	Signature    string                    `json:"signature"`
	HTMLContains []string                  `json:"html_contains"`
	HTMLExcludes []string                  `json:"html_excludes"`
	Inline       []expectedPart            `json:"inline"`
	Attachments  []expectedPart            `json:"attachments"`
	Auto         mailparse.AutoKind        `json:"auto"`
	Report       *mailparse.DeliveryReport `json:"report"`
}

type expectedPart struct {
	ContentType string `json:"content_type"`
	Filename    string `json:"filename"`
	ContentID   string `json:"content_id,omitempty"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
}

func TestParseCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	if err != nil || len(files) < 20 {
		t.Fatalf("corpus missing: %d files, %v", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			want := MustReadExpectation(t, strings.TrimSuffix(file, ".eml")+".json")
			m, err := mailparse.Parse(MustReadFile(t, file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkEnvelope(t, m, want)
			checkBodies(t, m, want)
			checkParts(t, "inline", m.Inline, want.Inline)
			checkParts(t, "attachments", m.Attachments, want.Attachments)
			if m.Auto != want.Auto {
				t.Errorf("Auto = %q, want %q", m.Auto, want.Auto)
			}
			if !reflect.DeepEqual(m.Report, want.Report) {
				t.Errorf("Report = %s, want %s", jsonOf(m.Report), jsonOf(want.Report))
			}
		})
	}
}

func checkEnvelope(t *testing.T, m *mailparse.Mail, want expectation) {
	t.Helper()
	same := func(field string, got, want any) {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %s, want %s", field, jsonOf(got), jsonOf(want))
		}
	}
	same("From", m.From, want.From)
	same("To", orEmpty(m.To), orEmpty(want.To))
	same("Cc", orEmpty(m.Cc), orEmpty(want.Cc))
	same("ReplyTo", orEmpty(m.ReplyTo), orEmpty(want.ReplyTo))
	same("Subject", m.Subject, want.Subject)
	same("MessageID", m.MessageID, want.MessageID)
	same("InReplyTo", orEmpty(m.InReplyTo), orEmpty(want.InReplyTo))
	same("References", orEmpty(m.References), orEmpty(want.References))
	same("Date", m.Date.Format(time.RFC3339), want.Date)
}

func checkBodies(t *testing.T, m *mailparse.Mail, want expectation) {
	t.Helper()
	for _, c := range []struct{ field, got, want string }{
		{"Text", m.Text, want.Text},
		{"Reply.Visible", m.Reply.Visible, want.Visible},
		{"Reply.Quoted", m.Reply.Quoted, want.Quoted},
		{"Reply.Signature", m.Reply.Signature, want.Signature},
	} {
		if c.got != c.want {
			t.Errorf("%s =\n%q\nwant\n%q", c.field, c.got, c.want)
		}
	}
	for _, s := range want.HTMLContains {
		if !strings.Contains(m.HTML, s) {
			t.Errorf("HTML lacks %q:\n%s", s, m.HTML)
		}
	}
	for _, s := range want.HTMLExcludes {
		if strings.Contains(m.HTML, s) {
			t.Errorf("HTML still has %q:\n%s", s, m.HTML)
		}
	}
}

func checkParts(t *testing.T, field string, got []mailparse.Part, want []expectedPart) {
	t.Helper()
	gotParts := make([]expectedPart, 0, len(got))
	for _, p := range got {
		sum := sha256.Sum256(p.Data)
		gotParts = append(gotParts, expectedPart{ContentType: p.ContentType, Filename: p.Filename,
			ContentID: p.ContentID, Size: len(p.Data), SHA256: hex.EncodeToString(sum[:])})
	}
	if !reflect.DeepEqual(gotParts, orEmpty(want)) {
		t.Errorf("%s = %s, want %s", field, jsonOf(gotParts), jsonOf(want))
	}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// MustReadFile reads a test file or fails the test.
func MustReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MustReadExpectation reads the expected parse beside a corpus mail.
func MustReadExpectation(tb testing.TB, path string) expectation {
	tb.Helper()
	var e expectation
	if err := json.Unmarshal(MustReadFile(tb, path), &e); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return e
}
