package pipeline_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/pipeline"
)

func TestSplitText(t *testing.T) {
	for _, tc := range []struct {
		name    string
		text    string
		limit   int
		inBytes bool
		want    []string
	}{
		{"text that fits is one part", "Hello there.", 20, false, []string{"Hello there."}},
		{"no limit is one part", strings.Repeat("a", 5000), 0, false, []string{strings.Repeat("a", 5000)}},
		{"cuts after a sentence", "Your order shipped. It arrives on Monday.", 25, false,
			[]string{"Your order shipped.", "It arrives on Monday."}},
		{"cuts at a space when no sentence ends late enough", "one two three four five six", 10, false,
			[]string{"one two", "three four", "five six"}},
		{"cuts inside a word only when it is longer than the limit", "abcdefghij klm", 4, false,
			[]string{"abcd", "efgh", "ij", "klm"}},
		{"counts runes, not bytes", "ção ção ção", 7, false, []string{"ção ção", "ção"}},
		{"counts bytes and never cuts a rune", "çççç", 3, true, []string{"ç", "ç", "ç", "ç"}},
		{"cuts after CJK full stops", "注文を受け付けました。明日発送します。", 12, false,
			[]string{"注文を受け付けました。", "明日発送します。"}},
		{"cuts at a newline", "Line one is here\nLine two is here", 20, false, []string{"Line one is here", "Line two is here"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := pipeline.SplitText(tc.text, tc.limit, tc.inBytes)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("SplitText(%q, %d) = %q, want %q", tc.text, tc.limit, got, tc.want)
			}
		})
	}
}

// FuzzSplitText checks the promises for any text: every part fits, no part
// is empty, no rune is cut, and nothing but whitespace at the cuts is lost.
func FuzzSplitText(f *testing.F) {
	f.Add("Your order shipped. It arrives on Monday.", 10, false)
	f.Add("注文を受け付けました。明日発送します。", 5, true)
	f.Add("a\n\n\nb   c", 1, false)
	f.Fuzz(func(t *testing.T, text string, limit int, inBytes bool) {
		if !utf8.ValidString(text) || limit < 4 || limit > 10000 {
			return
		}
		parts := pipeline.SplitText(text, limit, inBytes)
		for _, p := range parts {
			n := utf8.RuneCountInString(p)
			if inBytes {
				n = len(p)
			}
			if n > limit || (p == "" && text != "") || !utf8.ValidString(p) {
				t.Fatalf("part %q (size %d) breaks limit %d", p, n, limit)
			}
		}
		if strings.Join(strings.Fields(strings.Join(parts, " ")), "") != strings.Join(strings.Fields(text), "") {
			t.Fatalf("parts %q lose text of %q", parts, text)
		}
	})
}

// TestSenderSplitsLongText: a channel that splits gets a long reply as
// several messages; the reply is sent with the last part's platform id.
func TestSenderSplitsLongText(t *testing.T) {
	bustest.ForEachBackend(t, func(t *testing.T, open bustest.Opener) {
		e := newOutboundEnv(t, open(t, bus.Config{}))
		e.adapter.caps = &parley.Capabilities{TextLimit: 30, Split: true}
		m := e.queue(t, "Your parcel left our warehouse today. It should arrive on Monday. Thanks!")
		got := e.waitStatus(t, m.ID, parley.MessageSent)
		sends := e.adapter.sendsOf(m.ID)
		var bodies []string
		for _, s := range sends {
			bodies = append(bodies, s.body)
		}
		want := []string{"Your parcel left our warehouse", "today. It should arrive on", "Monday. Thanks!"}
		if strings.Join(bodies, "|") != strings.Join(want, "|") {
			t.Fatalf("sent parts %q, want %q", bodies, want)
		}
		if !strings.HasSuffix(got.ExternalID, "-3") {
			t.Errorf("external id %q is not the last part's", got.ExternalID)
		}
	})
}

func TestSenderDoesNotSplitWhenTheChannelCannot(t *testing.T) {
	bustest.ForEachBackend(t, func(t *testing.T, open bustest.Opener) {
		e := newOutboundEnv(t, open(t, bus.Config{}))
		e.adapter.caps = &parley.Capabilities{TextLimit: 10}
		m := e.queue(t, "A reply longer than ten runes")
		e.waitStatus(t, m.ID, parley.MessageSent)
		if sends := e.adapter.sendsOf(m.ID); len(sends) != 1 || sends[0].body != "A reply longer than ten runes" {
			t.Fatalf("sends %+v: want the whole text once, for the adapter to refuse or accept", sends)
		}
	})
}

// TestSenderFailsAPartlySentReply: when a later part fails, the reply is
// failed with how many parts went out, not retried (which would send the
// first parts twice).
func TestSenderFailsAPartlySentReply(t *testing.T) {
	bustest.ForEachBackend(t, func(t *testing.T, open bustest.Opener) {
		e := newOutboundEnv(t, open(t, bus.Config{}), step{}, transient("platform down"))
		e.adapter.caps = &parley.Capabilities{TextLimit: 12, Split: true}
		m := e.queue(t, "First part. Second part. Third.")
		got := e.waitStatus(t, m.ID, parley.MessageFailed)
		if got.FailureCode != "partial_send" || !strings.Contains(got.FailureReason, "sent 1 of 3 parts") || !strings.Contains(got.FailureReason, "platform down") {
			t.Errorf("failure %q %q", got.FailureCode, got.FailureReason)
		}
		if n := len(e.adapter.sendsOf(m.ID)); n != 2 {
			t.Errorf("%d sends, want 2 (one part sent, one failed)", n)
		}
	})
}
