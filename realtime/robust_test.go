package realtime_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	dto "github.com/prometheus/client_model/go"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/realtime"
)

func TestSlowClientIsDropped(t *testing.T) {
	f := newTeamFixture(t, func(c *realtime.Config) {
		c.SendQueue = 8
		// Generous: a reader on a loaded machine must not time out; the
		// slow client is caught by its full queue long before.
		c.WriteTimeout = 10 * time.Second
	})
	f.node.Agents.Put(agent(5, "Slow", parley.RoleSupervisor))
	slow := MustDialRaw(t, f.node, 5) // never reads: its buffers fill, then its queue
	waitUntil(t, "the slow socket is registered", func() bool { return f.node.Hub.Clients() == 4 })

	// The readers keep up with one event at a time (every one of them is
	// waited for: a reader left to run free can fall 8 events behind on a
	// loaded machine and be dropped in the slow client's place); the slow
	// client falls further behind with each one until the hub lets it go.
	const most = 2000 // 2000 × 16 KiB is far more than loopback buffers hold
	body := strings.Repeat("x", 16<<10)
	published := int64(0)
	for published < most && f.node.Hub.Clients() == 4 {
		published++
		MustPublish(t, f.bus, &parley.Event{Type: parley.EventMessageCreated, At: time.Now(),
			Conversation: &parley.Conversation{ID: 1, Status: parley.StatusOpen},
			Message:      &parley.Message{ID: published, ConversationID: 1, Body: body}})
		for _, c := range []*testClient{f.ana, f.ben, f.sue} {
			var got *parley.Message
			c.Until(t, "the next event", func(fr frame) bool { got = fr.Message; return got != nil })
			if got.ID != published {
				t.Fatalf("a reader got message %d, want %d: events lost or reordered", got.ID, published)
			}
		}
	}
	if f.node.Hub.Clients() != 3 {
		t.Fatalf("after %d events the slow socket is still connected", published)
	}

	t.Run("the slow client is closed", func(t *testing.T) {
		received := 0
		for {
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			_, _, err := slow.Read(ctx)
			cancel()
			if err != nil {
				if s := websocket.CloseStatus(err); s != websocket.StatusTryAgainLater && s != -1 {
					t.Errorf("closed with %v, want try again later (or cut off while its buffers were full)", s)
				}
				break
			}
			received++
		}
		if received >= int(published) {
			t.Errorf("the slow client received all %d frames; it was never behind", received)
		}
	})

	t.Run("the others carry on", func(t *testing.T) {
		MustPublish(t, f.bus, markerEvent(1))
		f.ana.Until(t, "marker", isMarker(1))
		f.ben.Until(t, "marker", isMarker(1))
	})
}

func TestClientFrames(t *testing.T) {
	f := newTeamFixture(t, nil)

	t.Run("ping is answered with pong", func(t *testing.T) {
		f.ana.Send(t, map[string]string{"type": "ping"})
		f.ana.Until(t, "pong", isType("pong"))
	})

	for _, tc := range []struct{ name, frame string }{
		{"malformed JSON gets an error frame", `{"type":`},
		{"an unknown type gets an error frame", `{"type":"dance"}`},
		{"viewing without a conversation gets an error frame", `{"type":"viewing"}`},
		{"a negative conversation gets an error frame", `{"type":"typing","conversation_id":-4}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.ana.SendRaw(t, []byte(tc.frame))
			before := f.ana.Sync(t)
			var errs []frame
			for _, fr := range before {
				if fr.Type == "error" {
					errs = append(errs, fr)
				}
			}
			if len(errs) != 1 || errs[0].Error == nil || errs[0].Error.Code != parley.EINVALID {
				t.Errorf("frames = %v, want one invalid error frame (and the socket kept open)", before)
			}
		})
	}
}

func TestAbusiveClientsAreClosed(t *testing.T) {
	f := newTeamFixture(t, func(c *realtime.Config) { c.FrameRate = 5 })

	t.Run("a frame over the read limit", func(t *testing.T) {
		c := MustDial(t, f.node, 1)
		c.SendRaw(t, []byte(`{"type":"ping","pad":"`+strings.Repeat("x", 8<<10)+`"}`))
		if got := c.Ended(t); got != websocket.StatusMessageTooBig {
			t.Errorf("close status = %v, want message too big", got)
		}
	})

	t.Run("a binary frame", func(t *testing.T) {
		c := MustDial(t, f.node, 1)
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := c.conn.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		if got := c.Ended(t); got != websocket.StatusUnsupportedData {
			t.Errorf("close status = %v, want unsupported data", got)
		}
	})

	t.Run("a flood of frames", func(t *testing.T) {
		c := MustDial(t, f.node, 1)
		for range 50 {
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			err := c.conn.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`))
			cancel()
			if err != nil {
				break // closed under us: expected
			}
		}
		if got := c.Ended(t); got != websocket.StatusPolicyViolation {
			t.Errorf("close status = %v, want policy violation", got)
		}
	})

	t.Run("the well-behaved clients carry on", func(t *testing.T) {
		MustPublish(t, f.bus, markerEvent(1))
		f.ana.Until(t, "marker", isMarker(1))
		f.ben.Until(t, "marker", isMarker(1))
	})
}

func TestDeadPeerIsDisconnected(t *testing.T) {
	f := newTeamFixture(t, func(c *realtime.Config) {
		c.PingInterval = 100 * time.Millisecond
		c.WriteTimeout = time.Second // generous: a busy machine must not fail live clients
	})
	// A peer that never reads never answers pings: it looks dead.
	MustDialRaw(t, f.node, 3)
	waitUntil(t, "the socket is registered", func() bool { return f.node.Hub.Clients() == 4 })
	waitUntil(t, "the unanswering socket is dropped", func() bool { return f.node.Hub.Clients() == 3 })
	// Live clients answer pings while reading and stay.
	time.Sleep(1500 * time.Millisecond)
	if got := f.node.Hub.Clients(); got != 3 {
		t.Errorf("Clients = %d after several ping rounds, want the 3 live ones", got)
	}
}

func TestClose(t *testing.T) {
	f := newTeamFixture(t, nil)
	f.node.Hub.Close()

	t.Run("open sockets are told the server is going away", func(t *testing.T) {
		for _, c := range []*testClient{f.ana, f.ben, f.sue} {
			if got := c.Ended(t); got != websocket.StatusGoingAway {
				t.Errorf("close status = %v, want going away", got)
			}
		}
	})

	t.Run("new connections are refused with 503", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		url := strings.Replace(f.node.Server.URL, "http://", "ws://", 1) + "/ws?agent=1"
		_, resp, err := websocket.Dial(ctx, url, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("dial after Close: err %v, response %v; want 503", err, resp)
		}
	})
}

func gaugeValue(tb testing.TB) float64 {
	tb.Helper()
	var m dto.Metric
	if err := metrics.WebSocketClients.Write(&m); err != nil {
		tb.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

func TestClientsGauge(t *testing.T) {
	before := gaugeValue(t)
	f := newTeamFixture(t, nil)
	if got := gaugeValue(t); got != before+3 {
		t.Errorf("gauge = %v with 3 sockets open, want %v", got, before+3)
	}
	f.ana.Close()
	waitUntil(t, "the gauge counts the closed socket out", func() bool { return gaugeValue(t) == before+2 })
}
