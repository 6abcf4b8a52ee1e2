// Package channeltest is the conformance kit every channel adapter passes.
// A new channel is ready when its package test calls Run with a Kit and the
// suite is green.
//
// Usage, in channel/<platform>/<platform>_test.go:
//
//	func TestConformance(t *testing.T) { channeltest.Run(t, kit()) }
//	func FuzzParseWebhook(f *testing.F) { channeltest.FuzzParseWebhook(f, kit()) }
//
// where kit() returns a Kit: a constructor for the adapter, a way to sign a
// request as the platform would, sample bodies (fixtures, ideally from the
// platform's documentation in testdata/), and — for adapters that send — a
// constructor that points the adapter at a local server the kit controls,
// with a table of platform answers and the send error class each must give.
//
// What Run checks (each a subtest named after the behaviour):
//
//   - Capabilities match Kit.Limits.
//   - Every Valid body verifies when signed and parses into at least one
//     sane event (known kind, the channel's id, a sender for messages,
//     targets for receipts, JSON round-trip stable).
//   - Unsigned, badly signed (every header Sign set corrupted) and tampered
//     bodies are refused with EUNAUTHORIZED; so is a JSON body re-encoded
//     with the same content but different bytes: the signature covers the
//     raw bytes, never a re-encoding.
//   - Handshake (if Kit.Handshake is set): the right token is answered with
//     200 and the expected body, a wrong one with a 4xx.
//   - Duplicate delivery of a body yields identical events and DedupKeys;
//     different events of one body have different DedupKeys (the inbound
//     stream would drop all but one of events sharing a key).
//   - Out-of-order delivery (bodies reversed and shuffled) yields the same
//     set of events.
//   - Unknown fields added to every JSON object change no event.
//   - A batch (Kit.Batch) of all Valid bodies yields every event of each.
//   - A bounded fuzz loop (byte and JSON-structure mutations of the Valid
//     bodies) never panics: ParseWebhook returns events or EINVALID, and
//     VerifyWebhook refuses mutated JSON bodies with EUNAUTHORIZED.
//   - Send (if Kit.Outbound is set): a success answer gives an external id
//     after exactly one request; each ErrorCase gives a *parley.SendError of
//     the expected class (and Retry-After, and reason); a dead endpoint and
//     an exceeded deadline are transient; text of exactly TextLimit is sent
//     (counted in runes, or bytes with TextLimitBytes), and one character more
//     never reaches the platform as one message: it is split into several
//     requests (only if Capabilities.Split) or refused before any request
//     with a permanent error that names the limit (the sender splits).
package channeltest

import (
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// Kit describes one adapter to the suite. New, Sign and Valid are
// required; everything else is optional and skips its checks when unset.
type Kit struct {
	// New builds the adapter under test and its channel. Fix the adapter's
	// clock (if it has one) so that parsing a body twice gives equal
	// events and signatures made by Sign stay fresh.
	New func(tb testing.TB) (parley.Adapter, *parley.Channel)
	// Sign makes req (a POST whose body is body) a valid delivery, as the
	// platform would sign it, typically by setting headers. Implement it
	// from the platform's documentation, not by calling the adapter's own
	// signing code, so the suite proves the adapter agrees with the platform.
	Sign func(tb testing.TB, req *http.Request, body []byte)
	// Valid are sample bodies, each yielding at least one event. Give at
	// least two, covering every event kind the adapter parses.
	Valid [][]byte
	// Batch joins several bodies into the one body the platform would send
	// for all their events (e.g. concatenating Meta's entry arrays).
	Batch func(tb testing.TB, bodies [][]byte) []byte
	// Handshake describes the platform's webhook URL check, if it has one.
	Handshake *Handshake
	// Outbound describes sending, for adapters that send.
	Outbound *Outbound
	// Limits are the expected Capabilities; the text limit is exercised
	// through Outbound.
	Limits Limits
	// FuzzIterations bounds the quick fuzz loop in Run (default 1000).
	FuzzIterations int
}

// Handshake describes a verification handshake (Meta's hub.challenge).
// The adapter must implement parley.Handshaker.
type Handshake struct {
	// Request builds the platform's handshake request, with the channel's
	// right verify token when valid is true and a wrong one otherwise.
	Request func(tb testing.TB, ch *parley.Channel, valid bool) *http.Request
	// Answer is the body a valid handshake must be answered with.
	Answer string
}

// Outbound describes sending through a local server that stands in for
// the platform's send endpoint and answers whatever the check chooses.
type Outbound struct {
	// New builds the adapter so that it sends to baseURL (scheme and host
	// of the kit's server; every path is answered).
	New func(tb testing.TB, baseURL string) (parley.Adapter, *parley.Channel)
	// Message builds the message to send with the given text. Nil uses
	// DefaultMessage with Recipient and Now.
	Message func(ch *parley.Channel, text string) parley.OutboundMessage
	// Recipient is whom DefaultMessage addresses; zero means an external
	// identity "channeltest-contact" scoped to the channel.
	Recipient parley.Identity
	// Now is the adapter's (fixed) time, if it has one; zero means the
	// wall clock. DefaultMessage's customer wrote a minute before it.
	Now time.Time
	// OK is the platform's answer to a successful send.
	OK Response
	// Errors maps platform answers to the class the sender must see.
	Errors []ErrorCase
}

// Response is one answer of the kit's server.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// ErrorCase is one row of the send classification table.
type ErrorCase struct {
	Name     string
	Response Response
	Class    parley.SendErrorClass
	// RetryAfter, when non-zero, must equal SendError.RetryAfter.
	RetryAfter time.Duration
	// Reason, when non-empty, must appear in SendError.Reason (the
	// platform's explanation kept for the agent).
	Reason string
}

// Limits are the Capabilities the kit expects the adapter to declare.
type Limits struct {
	TextLimit      int
	TextLimitBytes bool
	Split          bool
	ReplyWindow    time.Duration
}

// Run runs the whole suite against the adapter k describes.
func Run(t *testing.T, k Kit) {
	t.Helper()
	if k.New == nil || k.Sign == nil || len(k.Valid) < 2 {
		t.Fatal("channeltest: Kit needs New, Sign and at least two Valid bodies")
	}
	t.Run("capabilities match the declared limits", func(t *testing.T) { checkCapabilities(t, k) })
	t.Run("valid bodies verify and parse", func(t *testing.T) { checkValid(t, k) })
	t.Run("signatures", func(t *testing.T) { runSignatureChecks(t, k) })
	if k.Handshake != nil {
		t.Run("handshake", func(t *testing.T) { checkHandshake(t, k) })
	}
	t.Run("delivery", func(t *testing.T) { runDeliveryChecks(t, k) })
	t.Run("mutated bodies never panic", func(t *testing.T) { checkQuickFuzz(t, k) })
	if k.Outbound != nil {
		t.Run("send", func(t *testing.T) { runSendChecks(t, k) })
	}
}

func checkCapabilities(t *testing.T, k Kit) {
	a, _ := k.New(t)
	c := a.Capabilities()
	got := Limits{TextLimit: c.TextLimit, TextLimitBytes: c.TextLimitBytes, Split: c.Split, ReplyWindow: c.ReplyWindow}
	if got != k.Limits {
		t.Fatalf("Capabilities limits = %+v, want %+v", got, k.Limits)
	}
}
