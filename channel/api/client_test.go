package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/api"
)

// receivedHook is one webhook as the client's receiver saw it.
type receivedHook struct {
	Delivery  string
	Body      []byte
	Payload   map[string]any
	VerifyErr error
}

// hookReceiver is the client's endpoint: it verifies every webhook from the
// spec (not with the package's code) and answers with the next status.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	hooks    []receivedHook
	statuses []int // answered in turn; the last one repeats; empty = 200
}

func newHookReceiver(tb testing.TB, statuses ...int) *hookReceiver {
	r := &hookReceiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.Close)
	return r
}

func (r *hookReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	h := receivedHook{Delivery: req.Header.Get("X-Parley-Delivery"), Body: body, VerifyErr: verifyAsReceiver(req, body, testSecret, testNow)}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		h.VerifyErr = errors.New("not a JSON POST")
	}
	_ = json.Unmarshal(body, &h.Payload)
	r.mu.Lock()
	r.hooks = append(r.hooks, h)
	status := http.StatusOK
	if len(r.statuses) > 0 {
		status = r.statuses[0]
		if len(r.statuses) > 1 {
			r.statuses = r.statuses[1:]
		}
	}
	r.mu.Unlock()
	if h.VerifyErr != nil {
		status = http.StatusUnauthorized
	}
	w.WriteHeader(status)
}

func (r *hookReceiver) received() []receivedHook {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedHook(nil), r.hooks...)
}

func testReply(ch *parley.Channel, body string) parley.OutboundMessage {
	conv := &parley.Conversation{ID: 70, Number: 1042, ChannelID: ch.ID, Platform: parley.PlatformAPI, ContactID: 9, Status: parley.StatusOpen, ThreadKey: "order-1042"}
	return parley.OutboundMessage{
		Channel: ch, Conversation: conv,
		Recipient: &parley.Identity{Kind: parley.IdentityExternal, ScopeChannelID: ch.ID, Value: "cust-42"},
		Message: &parley.Message{
			ID: 501, ConversationID: 70, ChannelID: ch.ID, Platform: parley.PlatformAPI, Direction: parley.DirectionOut,
			Kind: parley.KindText, Body: body, Status: parley.MessageSending, CreatedAt: testNow,
			Attachments: []parley.Attachment{{Type: "file", URL: "https://files.example.com/guide.pdf", Filename: "guide.pdf", ContentType: "application/pdf"}},
		},
	}
}

func TestSendPostsASignedReply(t *testing.T) {
	rcv := newHookReceiver(t)
	ch := NewTestChannel(5, rcv.URL+"/hooks/parley")
	res, err := MustAdapter(t, ch).Send(t.Context(), testReply(ch, "Your parcel ships today."))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if res.ExternalID != "parley-501" || res.Status != parley.MessageSent {
		t.Fatalf("result = %+v", res)
	}
	hooks := rcv.received()
	if len(hooks) != 1 || hooks[0].VerifyErr != nil {
		t.Fatalf("receiver got %d hooks, first verify error %v", len(hooks), hooks[0].VerifyErr)
	}
	if hooks[0].Delivery != "message.created/501" {
		t.Fatalf("X-Parley-Delivery = %q", hooks[0].Delivery)
	}
	var got map[string]any
	_ = json.Unmarshal(hooks[0].Body, &got)
	want := map[string]any{
		"type": "message.created",
		"message": map[string]any{
			"id": "parley-501", "text": "Your parcel ships today.", "timestamp": "2025-11-21T07:26:40Z", "thread": "order-1042",
			"attachments": []any{map[string]any{"type": "file", "url": "https://files.example.com/guide.pdf", "filename": "guide.pdf", "content_type": "application/pdf"}},
		},
		"conversation": map[string]any{"id": 70.0, "number": 1042.0, "status": "open"},
		"contact":      map[string]any{"id": "cust-42"},
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Fatalf("payload\n got %s\nwant %s", g, w)
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestSendUsesTheSameDeliveryKeyOnRetry(t *testing.T) {
	rcv := newHookReceiver(t, http.StatusServiceUnavailable, http.StatusOK)
	ch := NewTestChannel(5, rcv.URL)
	a := MustAdapter(t, ch)
	if _, err := a.Send(t.Context(), testReply(ch, "hi")); err == nil {
		t.Fatal("503 accepted")
	}
	if _, err := a.Send(t.Context(), testReply(ch, "hi")); err != nil {
		t.Fatalf("retry: %v", err)
	}
	hooks := rcv.received()
	if len(hooks) != 2 || hooks[0].Delivery != hooks[1].Delivery {
		t.Fatalf("deliveries %q and %q differ: the receiver cannot de-duplicate", hooks[0].Delivery, hooks[1].Delivery)
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	for _, tc := range []struct {
		status int
		header string
		body   string
		class  parley.SendErrorClass
		reason string
		retry  time.Duration
	}{
		{429, "120", "", parley.SendRateLimited, "Too Many Requests", 2 * time.Minute},
		{429, "soon", "", parley.SendRateLimited, "Too Many Requests", 0},
		{429, "99999999999999", "", parley.SendRateLimited, "", 24 * time.Hour},
		{500, "", "", parley.SendTransient, "Internal Server Error", 0},
		{504, "", "", parley.SendTransient, "Gateway Timeout", 0},
		{401, "", "", parley.SendAuth, "Unauthorized", 0},
		{403, "", `{"message":"channel revoked"}`, parley.SendAuth, "channel revoked", 0},
		{400, "", `{"error":"bad contact"}`, parley.SendPermanent, "bad contact", 0},
		{409, "", strings.Repeat("long reason ", 100), parley.SendPermanent, "long reason", 0},
	} {
		t.Run(http.StatusText(tc.status)+" "+tc.header, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			ch := NewTestChannel(5, srv.URL)
			_, err := MustAdapter(t, ch).Send(t.Context(), testReply(ch, "hi"))
			var se *parley.SendError
			if !errors.As(err, &se) || se.Class != tc.class || se.RetryAfter != tc.retry {
				t.Fatalf("err = %#v, want class %s retry %s", err, tc.class, tc.retry)
			}
			if !strings.Contains(se.Reason, tc.reason) || len([]rune(se.Reason)) > 201 {
				t.Fatalf("reason %q (%d runes), want %q within 200", se.Reason, len([]rune(se.Reason)), tc.reason)
			}
		})
	}
}

func TestSendRefusesWhatItCannotSend(t *testing.T) {
	rcv := newHookReceiver(t)
	ch := NewTestChannel(5, rcv.URL)
	a := MustAdapter(t, ch)
	noRecipient := testReply(ch, "hi")
	noRecipient.Recipient = nil
	for name, m := range map[string]parley.OutboundMessage{
		"no recipient":  noRecipient,
		"no message":    {Channel: ch, Recipient: &parley.Identity{Value: "c"}},
		"text too long": testReply(ch, strings.Repeat("a", api.TextLimit+1)),
	} {
		_, err := a.Send(t.Context(), m)
		var se *parley.SendError
		if !errors.As(err, &se) || se.Class != parley.SendPermanent {
			t.Errorf("%s: err = %v, want a permanent send error", name, err)
		}
	}
	receiveOnly := NewTestChannel(6, "")
	_, err := MustAdapter(t, receiveOnly).Send(t.Context(), testReply(receiveOnly, "hi"))
	if se := (*parley.SendError)(nil); !errors.As(err, &se) || se.Code != "no_webhook_url" {
		t.Errorf("channel without webhook_url: err = %v", err)
	}
	if n := len(rcv.received()); n != 0 {
		t.Fatalf("%d refused messages reached the receiver", n)
	}
}

func TestSendGivesUpOnASlowReceiver(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ch := NewTestChannel(5, srv.URL)
	a, err := api.NewAdapter(ch, api.Options{Clock: fixedClock{testNow}, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Send(context.Background(), testReply(ch, "hi"))
	var se *parley.SendError
	if !errors.As(err, &se) || se.Class != parley.SendTransient || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a transient timeout", err)
	}
}
