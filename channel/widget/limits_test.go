package widget_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/widget"
)

func TestRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("one visitor sending too fast is refused; another visitor is not held back", func(t *testing.T) {
		limits := roomy
		limits.MessagePerVisitor = widget.Rate{Every: time.Hour, Burst: 3}
		e := MustEnv(t, limits, nil)
		s := e.MustSession(t, e.Channel, nil)
		v := e.MustConnect(t, e.Channel, s.Token, 0)
		v.MustFrame(t, "caught_up", isType("caught_up"))
		var refused int
		for i := range 5 {
			id := fmt.Sprintf("burst-%04d", i)
			v.send(t, map[string]any{"type": "message", "client_id": id, "text": "spam"})
			f := v.MustFrame(t, "answer", func(f frame) bool { return (f.Type == "ack" || f.Type == "nack") && f.ClientID == id })
			if f.Type == "nack" {
				if f.Error.Code != parley.ERATELIMITED {
					t.Fatalf("nack %+v", f.Error)
				}
				refused++
			}
		}
		if refused != 2 {
			t.Fatalf("%d of 5 refused, want 2 over a burst of 3", refused)
		}
		other := e.MustSession(t, e.Channel, nil)
		v2 := e.MustConnect(t, e.Channel, other.Token, 0)
		v2.MustSay(t, "other-visitor", "I am someone else")
	})

	t.Run("limits per address hold across visitors", func(t *testing.T) {
		limits := roomy
		limits.SessionPerIP = widget.Rate{Every: time.Hour, Burst: 2}
		e := MustEnv(t, limits, nil)
		e.MustSession(t, e.Channel, nil)
		e.MustSession(t, e.Channel, nil)
		res, err := http.Post(e.Server.URL+sessionPath(e.Channel), "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("third session: status %d, want 429 with Retry-After", res.StatusCode)
		}
	})

	t.Run("a socket flooding frames is closed", func(t *testing.T) {
		limits := roomy
		limits.FramePerSocket = widget.Rate{Every: time.Hour, Burst: 5}
		e := MustEnv(t, limits, nil)
		s := e.MustSession(t, e.Channel, nil)
		v := e.MustConnect(t, e.Channel, s.Token, 0)
		for range 10 {
			v.send(t, map[string]any{"type": "ping"})
		}
		select {
		case <-v.closed:
		case <-time.After(10 * time.Second):
			t.Fatal("flooding socket stayed open")
		}
	})
}

func TestTyping(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	var seen presenceLog
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.Bus.SubscribePresence(ctx, seen.add); err != nil {
		t.Fatal(err)
	}
	s := e.MustSession(t, e.Channel, map[string]any{"name": "Ivy"})
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	echo := v.MustSay(t, "typing-001", "hello")
	conv := echo.Message.ConversationID

	t.Run("visitor typing reaches agents as activity in the ticket", func(t *testing.T) {
		v.send(t, map[string]any{"type": "typing", "active": true})
		eventually(t, "visitor typing on the presence bus", func() bool {
			return seen.find(func(p parley.PresenceInfo) bool {
				return p.ConversationID == conv && p.AgentID < 0 && p.AgentName == "Ivy" && p.Activity == parley.ActivityTyping
			})
		})
		typed := seen.index(func(p parley.PresenceInfo) bool { return p.AgentID < 0 && p.Activity == parley.ActivityTyping })
		v.send(t, map[string]any{"type": "typing", "active": false})
		eventually(t, "visitor stopped typing, still on the page", func() bool {
			return seen.index(func(p parley.PresenceInfo) bool {
				return p.ConversationID == conv && p.AgentID < 0 && p.Activity == parley.ActivityViewing
			}) > typed
		})
	})

	t.Run("agent typing reaches the visitor, other tickets' typing does not", func(t *testing.T) {
		publish := func(convID int64, a parley.Activity) {
			if err := e.Bus.PublishPresence(ctx, &parley.PresenceInfo{AgentID: e.Agent.ID, AgentName: "Ana", ConversationID: convID, Activity: a, Node: "n1"}); err != nil {
				t.Fatal(err)
			}
		}
		publish(conv+1000, parley.ActivityTyping)
		publish(conv, parley.ActivityTyping)
		f := v.MustFrame(t, "agent frame", isType("agent"))
		if f.Name != "Ana" || f.Activity != "typing" {
			t.Fatalf("agent frame %+v (a foreign ticket's typing leaked?)", f)
		}
	})
}
