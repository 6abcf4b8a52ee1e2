package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/metrics"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func hookReq(ch *parley.Channel, body, secret string) Req {
	return Req{Method: "POST", Path: "/hooks/" + string(ch.Platform) + "/" + itoa(ch.ID), Body: body,
		Header: http.Header{"X-Test-Signature": {Sign(secret, []byte(body))}}}
}

func TestWebhookIngress(t *testing.T) {
	e := MustEnv(t, func(c *httpapi.Config) { c.MaxWebhookBytes = 512 })
	const good = `{"messages":[{"id":"ext-1","from":"cust-42","text":"hi"},{"id":"ext-2","from":"cust-42","text":"there"}]}`
	rejected := func(reason string) float64 {
		return counterValue(metrics.InboundRejected.WithLabelValues("api", reason))
	}

	for _, tc := range []struct {
		name   string
		req    Req
		status int
		reason string
	}{
		{"unknown channel", Req{Method: "POST", Path: "/hooks/api/999999", Body: good}, 404, "unknown_channel"},
		{"platform mismatch", Req{Method: "POST", Path: "/hooks/whatsapp/" + itoa(e.Channel.ID), Body: good}, 404, ""},
		{"bad signature", hookReq(e.Channel, good, "wrong-secret"), 401, "signature"},
		{"missing signature", Req{Method: "POST", Path: "/hooks/api/" + itoa(e.Channel.ID), Body: good}, 401, "signature"},
		{"malformed body", hookReq(e.Channel, `{"messages":[`, "s3cret"), 400, "malformed"},
		{"body too large", hookReq(e.Channel, `{"messages":[],"pad":"`+strings.Repeat("x", 600)+`"}`, "s3cret"), 413, "too_large"},
	} {
		t.Run(tc.name+" is refused and nothing is published", func(t *testing.T) {
			before := 0.0
			if tc.reason != "" {
				before = rejected(tc.reason)
			}
			rec := Do(t, e.Srv, tc.req)
			if rec.Code != tc.status {
				t.Fatalf("%d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if e.Inbound.Count() != 0 {
				t.Fatalf("published %d batches", e.Inbound.Count())
			}
			if tc.reason != "" && rejected(tc.reason) != before+1 {
				t.Fatalf("rejection %q not counted", tc.reason)
			}
		})
	}
	t.Run("publish failure is 503 so the platform retries", func(t *testing.T) {
		e.Inbound.Fail = parley.Errorf(parley.EUNAVAILABLE, "stream down")
		defer func() { e.Inbound.Fail = nil }()
		before := rejected("unavailable")
		if rec := Do(t, e.Srv, hookReq(e.Channel, good, "s3cret")); rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if e.Inbound.Count() != 0 || rejected("unavailable") != before+1 {
			t.Fatal("publish failure was recorded as published, or not counted")
		}
	})
	t.Run("a verified body is published, stamped with its channel, then 200", func(t *testing.T) {
		before := counterValue(metrics.InboundAccepted.WithLabelValues("api"))
		rec := Do(t, e.Srv, hookReq(e.Channel, good, "s3cret"))
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if e.Inbound.Count() != 1 || len(e.Inbound.Batches[0]) != 2 || string(e.Inbound.Raw[0]) != good {
			t.Fatalf("published %+v", e.Inbound.Batches)
		}
		for _, ev := range e.Inbound.Batches[0] {
			if ev.ChannelID != e.Channel.ID || ev.Platform != parley.PlatformAPI {
				t.Fatalf("event not stamped: %+v", ev)
			}
		}
		if got := counterValue(metrics.InboundAccepted.WithLabelValues("api")); got != before+2 {
			t.Fatalf("accepted %v, want %v", got, before+2)
		}
	})
	t.Run("the answer waits for the stream's acknowledgement", func(t *testing.T) {
		gate, entered := make(chan struct{}), make(chan struct{})
		e.Inbound.mu.Lock()
		e.Inbound.Gate, e.Inbound.Entered = gate, entered
		e.Inbound.mu.Unlock()
		defer func() {
			e.Inbound.mu.Lock()
			e.Inbound.Gate, e.Inbound.Entered = nil, nil
			e.Inbound.mu.Unlock()
		}()
		done := make(chan *httptest.ResponseRecorder)
		go func() { done <- Do(t, e.Srv, hookReq(e.Channel, good, "s3cret")) }()
		<-entered
		select {
		case rec := <-done:
			t.Fatalf("answered %d before the publish finished", rec.Code)
		case <-time.After(50 * time.Millisecond):
		}
		close(gate)
		if rec := <-done; rec.Code != http.StatusOK {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("GET without a handshake is 405", func(t *testing.T) {
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/hooks/api/" + itoa(e.Channel.ID)}); rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("%d", rec.Code)
		}
	})
}

func TestWebhookHandshakeAndResponder(t *testing.T) {
	e := MustEnv(t)
	ch := &parley.Channel{Platform: parley.PlatformMessenger, Name: "Page", Status: parley.ChannelActive, Secrets: map[string]string{"secret": "k"}}
	if err := e.Store.CreateChannel(t.Context(), ch); err != nil {
		t.Fatal(err)
	}
	path := "/hooks/messenger/" + itoa(ch.ID)
	t.Run("the adapter answers the verification GET", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "GET", Path: path + "?challenge=1234"})
		if rec.Code != http.StatusOK || rec.Body.String() != "1234" {
			t.Fatalf("%d %q", rec.Code, rec.Body)
		}
	})
	t.Run("a GET that is no handshake is 400", func(t *testing.T) {
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: path}); rec.Code != http.StatusBadRequest {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("the adapter writes the success body", func(t *testing.T) {
		rec := Do(t, e.Srv, hookReq(ch, `{"messages":[{"id":"m1","from":"psid-1","text":"hey"}]}`, "k"))
		if rec.Code != http.StatusOK || rec.Body.String() != "EVENT_RECEIVED" || e.Inbound.Count() != 1 {
			t.Fatalf("%d %q", rec.Code, rec.Body)
		}
	})
	t.Run("a channel disabled on another node stops receiving within the cache TTL", func(t *testing.T) {
		disabled := parley.ChannelDisabled
		if _, err := e.Store.UpdateChannel(t.Context(), ch.ID, parley.ChannelUpdate{Status: &disabled}); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(2 * time.Second)
		if rec := Do(t, e.Srv, hookReq(ch, `{"messages":[]}`, "k")); rec.Code != http.StatusNotFound {
			t.Fatalf("%d", rec.Code)
		}
		active := parley.ChannelActive
		if _, err := e.Store.UpdateChannel(t.Context(), ch.ID, parley.ChannelUpdate{Status: &active}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a channel disabled through this node receives nothing at once", func(t *testing.T) {
		e.Clock.Advance(2 * time.Second)
		if rec := Do(t, e.Srv, hookReq(ch, `{"messages":[]}`, "k")); rec.Code == http.StatusNotFound {
			t.Fatalf("re-enabled channel refused: %d", rec.Code)
		}
		admin := e.MustToken(t, e.MustAgent(t, "channel-admin@example.com", parley.RoleAdmin))
		if rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/channels/" + itoa(ch.ID), Body: map[string]any{"status": "disabled"}, Token: admin}); rec.Code != http.StatusOK {
			t.Fatalf("PATCH = %d %s", rec.Code, rec.Body)
		}
		if rec := Do(t, e.Srv, hookReq(ch, `{"messages":[]}`, "k")); rec.Code != http.StatusNotFound {
			t.Fatalf("%d", rec.Code)
		}
	})
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
