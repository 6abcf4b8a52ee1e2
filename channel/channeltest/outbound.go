package channeltest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// DefaultMessage is a plain text reply from an agent to to, in an open
// conversation whose customer wrote a minute before now (so reply windows
// are open).
func DefaultMessage(ch *parley.Channel, to parley.Identity, now time.Time, text string) parley.OutboundMessage {
	lastIn := now.Add(-time.Minute)
	conv := &parley.Conversation{
		ID: 7001, Number: 1042, ChannelID: ch.ID, Platform: ch.Platform, ContactID: 9001,
		Status: parley.StatusOpen, LastInboundAt: &lastIn, LastMessageAt: lastIn, Version: 3,
	}
	agent := int64(5)
	return parley.OutboundMessage{
		Channel: ch, Conversation: conv, Recipient: &to,
		Contact: &parley.Contact{ID: conv.ContactID, Name: "Channeltest Contact", Identities: []*parley.Identity{&to}},
		Message: &parley.Message{
			ID: 8001, ConversationID: conv.ID, ChannelID: ch.ID, Platform: ch.Platform,
			Direction: parley.DirectionOut, Kind: parley.KindText, Body: text, AuthorAgentID: &agent,
			Status: parley.MessageSending, CreatedAt: now,
		},
	}
}

// sendServer stands in for the platform's send endpoint.
type sendServer struct {
	*httptest.Server
	mu       sync.Mutex
	answer   Response
	hang     bool
	requests int
}

func newSendServer(tb testing.TB, answer Response) *sendServer {
	s := &sendServer{answer: answer}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *sendServer) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	s.mu.Lock()
	s.requests++
	answer, hang := s.answer, s.hang
	s.mu.Unlock()
	if hang {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(10 * time.Second):
		}
	}
	for name, values := range answer.Header {
		w.Header()[name] = values
	}
	status := answer.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answer.Body)
}

func (s *sendServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// sendRig is an adapter wired to a fresh sendServer.
type sendRig struct {
	k      Kit
	server *sendServer
	a      parley.Adapter
	ch     *parley.Channel
}

func newSendRig(tb testing.TB, k Kit, answer Response) *sendRig {
	s := newSendServer(tb, answer)
	a, ch := k.Outbound.New(tb, s.URL)
	return &sendRig{k: k, server: s, a: a, ch: ch}
}

func (r *sendRig) message(text string) parley.OutboundMessage {
	o := r.k.Outbound
	if o.Message != nil {
		return o.Message(r.ch, text)
	}
	to := o.Recipient
	if to.Value == "" {
		to = parley.Identity{Kind: parley.IdentityExternal, ScopeChannelID: r.ch.ID, Value: "channeltest-contact", Verified: true}
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	return DefaultMessage(r.ch, to, now, text)
}

// send calls Send, turning a panic into a failure.
func (r *sendRig) send(tb testing.TB, ctx context.Context, text string) (res parley.SendResult, err error) {
	tb.Helper()
	defer func() {
		if p := recover(); p != nil {
			tb.Fatalf("Send panicked: %v", p)
		}
	}()
	return r.a.Send(ctx, r.message(text))
}

func runSendChecks(t *testing.T, k Kit) {
	t.Run("success gives an external id after one request", func(t *testing.T) {
		rig := newSendRig(t, k, k.Outbound.OK)
		res, err := rig.send(t, t.Context(), "hi")
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if res.ExternalID == "" || rig.server.count() != 1 {
			t.Fatalf("ExternalID = %q after %d requests, want an id after exactly 1", res.ExternalID, rig.server.count())
		}
	})
	for _, c := range k.Outbound.Errors {
		t.Run("answer "+c.Name+" is "+string(c.Class), func(t *testing.T) { checkErrorCase(t, k, c) })
	}
	t.Run("unreachable endpoint is transient", func(t *testing.T) {
		rig := newSendRig(t, k, k.Outbound.OK)
		rig.server.Close()
		_, err := rig.send(t, t.Context(), "hi")
		mustClass(t, err, parley.SendTransient)
	})
	t.Run("exceeded deadline is transient", func(t *testing.T) {
		rig := newSendRig(t, k, k.Outbound.OK)
		rig.server.mu.Lock()
		rig.server.hang = true
		rig.server.mu.Unlock()
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		_, err := rig.send(t, ctx, "hi")
		mustClass(t, err, parley.SendTransient)
	})
	if k.Limits.TextLimit > 0 {
		t.Run("text at the limit is sent", func(t *testing.T) { checkTextAtLimit(t, k) })
		t.Run("text over the limit is split or refused", func(t *testing.T) { checkTextOverLimit(t, k) })
	}
}

func checkErrorCase(t *testing.T, k Kit, c ErrorCase) {
	rig := newSendRig(t, k, c.Response)
	_, err := rig.send(t, t.Context(), "hi")
	se := mustClass(t, err, c.Class)
	if c.RetryAfter != 0 && se.RetryAfter != c.RetryAfter {
		t.Errorf("RetryAfter = %s, want %s", se.RetryAfter, c.RetryAfter)
	}
	if c.Reason != "" && !strings.Contains(se.Reason, c.Reason) {
		t.Errorf("Reason = %q, want it to contain %q", se.Reason, c.Reason)
	}
}

// mustClass fails unless err is a *parley.SendError of class want.
func mustClass(tb testing.TB, err error, want parley.SendErrorClass) *parley.SendError {
	tb.Helper()
	var se *parley.SendError
	if !errors.As(err, &se) {
		tb.Fatalf("Send error = %v (%T), want a *parley.SendError of class %s", err, err, want)
	}
	if se.Class != want {
		tb.Fatalf("Send error class = %s (%v), want %s", se.Class, se, want)
	}
	return se
}

// textOfLength is n units of the limit: runes (each two bytes, so an
// adapter counting bytes is caught) or bytes.
func textOfLength(n int, bytesCount bool) string {
	if !bytesCount {
		return strings.Repeat("é", n)
	}
	return strings.Repeat("é", n/2) + strings.Repeat("a", n%2)
}

func checkTextAtLimit(t *testing.T, k Kit) {
	rig := newSendRig(t, k, k.Outbound.OK)
	if _, err := rig.send(t, t.Context(), textOfLength(k.Limits.TextLimit, k.Limits.TextLimitBytes)); err != nil {
		t.Fatalf("text of exactly %d refused: %v", k.Limits.TextLimit, err)
	}
}

// checkTextOverLimit: one character over the limit must never reach the
// platform as one message. The adapter either splits it into several
// requests (Capabilities.Split, when the adapter splits itself) or refuses it
// before any request with an error naming the limit (when the sender splits,
// or the channel cannot).
func checkTextOverLimit(t *testing.T, k Kit) {
	rig := newSendRig(t, k, k.Outbound.OK)
	limit := k.Limits.TextLimit
	_, err := rig.send(t, t.Context(), textOfLength(limit, k.Limits.TextLimitBytes)+"a")
	requests := rig.server.count()
	if err == nil {
		if !k.Limits.Split || requests < 2 {
			t.Fatalf("text of %d sent in %d request(s) by a channel limited to %d (Split %v)", limit+1, requests, limit, k.Limits.Split)
		}
		return
	}
	var se *parley.SendError
	permanent := errors.As(err, &se) && se.Class == parley.SendPermanent
	if code := parley.ErrorCode(err); !permanent && code != parley.EINVALID && code != parley.ETOOLARGE {
		t.Fatalf("over-limit error = %v, want a permanent SendError or EINVALID/ETOOLARGE", err)
	}
	if !strings.Contains(err.Error(), strconv.Itoa(limit)) {
		t.Errorf("over-limit error %q does not name the limit %d", err, limit)
	}
	if requests != 0 {
		t.Errorf("over-limit text reached the platform (%d requests) before being refused", requests)
	}
}
