package channeltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
)

// panicked is what parseSafely returns when the adapter panicked.
type panicked struct{ value any }

func (p *panicked) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// parseSafely calls ParseWebhook and turns a panic into a *panicked error,
// so that a crashing adapter fails the check with the input that crashed it.
func parseSafely(a parley.Adapter, body []byte) (events []*parley.InboundEvent, err error) {
	defer func() {
		if p := recover(); p != nil {
			events, err = nil, &panicked{p}
		}
	}()
	return a.ParseWebhook(body)
}

func isPanic(err error) bool {
	var p *panicked
	return errors.As(err, &p)
}

// MustParse parses body and fails the test unless it yields at least one
// sane event.
func MustParse(tb testing.TB, a parley.Adapter, ch *parley.Channel, body []byte) []*parley.InboundEvent {
	tb.Helper()
	events, err := parseSafely(a, body)
	if err != nil {
		tb.Fatalf("ParseWebhook: %v\nbody: %s", err, clip(body))
	}
	if len(events) == 0 {
		tb.Fatalf("ParseWebhook returned no events\nbody: %s", clip(body))
	}
	for i, e := range events {
		if problem := eventProblem(e, ch); problem != "" {
			tb.Fatalf("event %d: %s\nbody: %s", i, problem, clip(body))
		}
	}
	return events
}

// CheckParse is the property every body must satisfy, valid or not:
// ParseWebhook does not panic and returns either sane events or EINVALID.
// It is the body of FuzzParseWebhook and of Run's quick fuzz loop.
func CheckParse(tb testing.TB, a parley.Adapter, ch *parley.Channel, body []byte) {
	tb.Helper()
	events, err := parseSafely(a, body)
	if isPanic(err) {
		tb.Fatalf("ParseWebhook %v\nbody: %q", err, clip(body))
	}
	if err != nil {
		if code := parley.ErrorCode(err); code != parley.EINVALID {
			tb.Fatalf("ParseWebhook error code = %q, want %q (err %v)\nbody: %q", code, parley.EINVALID, err, clip(body))
		}
		if events != nil {
			tb.Fatalf("ParseWebhook returned events with an error\nbody: %q", clip(body))
		}
		return
	}
	for i, e := range events {
		if problem := eventProblem(e, ch); problem != "" {
			tb.Fatalf("event %d: %s\nbody: %q", i, problem, clip(body))
		}
	}
}

// eventProblem describes what makes e unusable downstream, or "".
func eventProblem(e *parley.InboundEvent, ch *parley.Channel) string {
	switch {
	case e == nil:
		return "nil event"
	case e.ChannelID != ch.ID:
		return fmt.Sprintf("ChannelID = %d, want the channel's %d", e.ChannelID, ch.ID)
	case !e.Platform.Valid():
		return fmt.Sprintf("unknown Platform %q", e.Platform)
	case e.Timestamp.IsZero():
		return "zero Timestamp"
	}
	switch e.Kind {
	case parley.InboundMessage, parley.InboundEdit:
		if e.Sender.ID == "" {
			return string(e.Kind) + " without Sender.ID"
		}
		if e.Direction != parley.DirectionIn && e.Direction != parley.DirectionOut {
			return fmt.Sprintf("%s with Direction %q", e.Kind, e.Direction)
		}
	case parley.InboundReceipt:
		if e.Status == "" || (len(e.Targets) == 0 && e.Watermark == nil) {
			return "receipt without Status, or without Targets and Watermark"
		}
	case parley.InboundReaction, parley.InboundDelete, parley.InboundTyping:
	default:
		return fmt.Sprintf("unknown Kind %q", e.Kind)
	}
	return jsonStabilityProblem(e)
}

// jsonStabilityProblem checks the event survives the inbound stream's JSON.
func jsonStabilityProblem(e *parley.InboundEvent) string {
	first, err := json.Marshal(e)
	if err != nil {
		return "cannot be encoded as JSON: " + err.Error()
	}
	var back parley.InboundEvent
	if err := json.Unmarshal(first, &back); err != nil {
		return "JSON does not decode: " + err.Error()
	}
	second, _ := json.Marshal(&back)
	if !bytes.Equal(first, second) {
		return fmt.Sprintf("JSON round trip changes the event:\n%s\n%s", first, second)
	}
	return ""
}

// canonical renders events as sorted JSON lines, so that sets of events
// compare whatever order they came in.
func canonical(tb testing.TB, events []*parley.InboundEvent) []string {
	tb.Helper()
	out := make([]string, 0, len(events))
	for _, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			tb.Fatalf("encode event: %v", err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

// sameEvents fails the test unless got and want hold the same events.
func sameEvents(tb testing.TB, what string, got, want []*parley.InboundEvent) {
	tb.Helper()
	g, w := canonical(tb, got), canonical(tb, want)
	if slices.Equal(g, w) {
		return
	}
	tb.Fatalf("%s: events differ\ngot  %d:\n%s\nwant %d:\n%s", what, len(g), joinLines(g), len(w), joinLines(w))
}

func joinLines(lines []string) string {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

// clip shortens a body for failure messages.
func clip(b []byte) []byte {
	if len(b) > 600 {
		return append(b[:600:600], "…"...)
	}
	return b
}
