package widget_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
)

func TestChat(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	s := e.MustSession(t, e.Channel, map[string]any{"name": "Mia"})
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "ready", isType("ready"))
	v.MustFrame(t, "caught_up", isType("caught_up"))

	echo := v.MustSay(t, "hello-0001", "Hi, my order is late")
	conv, err := e.Store.FindConversationByID(context.Background(), echo.Message.ConversationID)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("visitor message lands in a widget ticket of the visitor's contact", func(t *testing.T) {
		if conv.Platform != parley.PlatformWidget || conv.ChannelID != e.Channel.ID {
			t.Fatalf("conversation %+v", conv)
		}
		c := e.contactOf(t, conv)
		if c.Name != "Mia" {
			t.Errorf("contact name %q, want Mia", c.Name)
		}
		var widgetIDs int
		for _, id := range c.Identities {
			if id.Kind == parley.IdentityWidget && id.ScopeChannelID == e.Channel.ID && id.Verified {
				widgetIDs++
			}
		}
		if widgetIDs != 1 {
			t.Errorf("contact identities %+v, want one verified widget identity", c.Identities)
		}
		if echo.Message.Direction != "in" || echo.Message.Body != "Hi, my order is late" {
			t.Errorf("echo %+v", echo.Message)
		}
	})

	t.Run("resending the same client id stores nothing twice", func(t *testing.T) {
		v.send(t, map[string]any{"type": "message", "client_id": "hello-0001", "text": "Hi, my order is late"})
		v.MustFrame(t, "ack of resend", func(f frame) bool { return f.Type == "ack" })
		reply := e.MustReply(t, conv.ID, "fence")
		v.MustFrame(t, "fence reply", func(f frame) bool { return f.Type == "message" && f.Message.ID == reply.ID })
		msgs, _, err := e.Store.FindMessages(context.Background(), parley.MessageFilter{ConversationID: conv.ID})
		if err != nil {
			t.Fatal(err)
		}
		inbound := 0
		for _, m := range msgs {
			if m.Direction == parley.DirectionIn {
				inbound++
			}
		}
		if inbound != 1 {
			t.Fatalf("%d inbound messages stored, want 1", inbound)
		}
	})

	t.Run("agent reply reaches the visitor with the agent's name, notes never", func(t *testing.T) {
		e.MustNote(t, conv.ID, "internal: customer is grumpy")
		reply := e.MustReply(t, conv.ID, "Sorry! It ships today.")
		got := v.collect(t, func(f frame) bool { return f.Type == "message" && f.Message.ID == reply.ID })
		for _, f := range got {
			if f.Type == "message" && f.Message.Body == "internal: customer is grumpy" {
				t.Fatalf("a private note reached the visitor: %+v", f.Message)
			}
		}
		last := got[len(got)-1].Message
		if last.Direction != "out" || last.Author != "Ana" || last.Status != string(parley.MessageSent) {
			t.Errorf("reply frame %+v", last)
		}
	})

	t.Run("delivered and read receipts move the reply's status", func(t *testing.T) {
		reply := e.MustReply(t, conv.ID, "Anything else?")
		v.MustFrame(t, "reply", func(f frame) bool { return f.Type == "message" && f.Message.ID == reply.ID })
		v.send(t, map[string]any{"type": "delivered", "up_to": reply.ID})
		eventually(t, "delivered", func() bool { return statusOf(t, e, reply.ID) == parley.MessageDelivered })
		v.send(t, map[string]any{"type": "read", "up_to": reply.ID})
		eventually(t, "read", func() bool { return statusOf(t, e, reply.ID) == parley.MessageRead })
		v.MustFrame(t, "read status pushed back", func(f frame) bool {
			return f.Type == "message" && f.Message.ID == reply.ID && f.Message.Status == "read"
		})
	})

	t.Run("a new page load with the stored token shows the whole thread", func(t *testing.T) {
		v2 := e.MustConnect(t, e.Channel, s.Token, 0)
		got := v2.collect(t, isType("caught_up"))
		bodies := map[string]bool{}
		for _, f := range got {
			if f.Type == "message" {
				bodies[f.Message.Body] = true
			}
		}
		for _, want := range []string{"Hi, my order is late", "Sorry! It ships today.", "Anything else?"} {
			if !bodies[want] {
				t.Errorf("history lacks %q: %v", want, bodies)
			}
		}
		if bodies["internal: customer is grumpy"] {
			t.Error("history shows a private note")
		}
	})
}

func statusOf(tb testing.TB, e *env, id int64) parley.MessageStatus {
	tb.Helper()
	m, err := e.Store.FindMessageByID(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return m.Status
}

// TestReconnect cuts the visitor's connection mid-conversation: replies
// sent while the visitor is away arrive on reconnect, a message whose ack
// was lost is resent and stored once, and nothing shows twice.
//
// A frame may repeat a message: the socket is registered before catch-up
// reads history, so a reply whose event is still in flight arrives both
// live and in catch-up, and status changes resend it. The widget keeps
// messages by id, so the test does too; what must not happen is a message
// missing, or stored (and so shown) twice under two ids. The widget's side
// of that bargain is TestBrowserCatchUpOvertaken, which plays the
// overtaking order on every run.
func TestReconnect(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	s := e.MustSession(t, e.Channel, nil)
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	have := map[int64]string{} // what the widget shows: body by message id
	keep := func(f frame) {
		if f.Type == "message" {
			have[f.Message.ID] = f.Message.Body
		}
	}
	echo := v.MustSay(t, "first-0001", "question one")
	keep(echo)
	convID := echo.Message.ConversationID
	r1 := e.MustReply(t, convID, "answer one")
	keep(v.MustFrame(t, "answer one", func(f frame) bool { return f.Type == "message" && f.Message.ID == r1.ID }))

	// The visitor sends, and the line drops before the ack can arrive.
	v.send(t, map[string]any{"type": "message", "client_id": "lost-ack-01", "text": "are you there?"})
	e.Handler.DisconnectAll()
	<-v.closed
	r2 := e.MustReply(t, convID, "answer two, while you were away")
	r3 := e.MustReply(t, convID, "answer three")
	eventually(t, "replies sent", func() bool {
		return statusOf(t, e, r2.ID) == parley.MessageSent && statusOf(t, e, r3.ID) == parley.MessageSent
	})

	lastSeen := r1.ID
	v2 := e.MustConnect(t, e.Channel, s.Token, lastSeen)
	v2.send(t, map[string]any{"type": "message", "client_id": "lost-ack-01", "text": "are you there?"})
	// The resent message may already be stored (then catch-up carries it and
	// the resend is a silent duplicate) or not (then it is echoed live).
	caught, acked, echoed := false, false, false
	for _, f := range v2.collect(t, func(f frame) bool {
		caught = caught || f.Type == "caught_up"
		acked = acked || (f.Type == "ack" && f.ClientID == "lost-ack-01")
		echoed = echoed || (f.Type == "message" && f.Message.ClientID == "lost-ack-01")
		return caught && acked && echoed
	}) {
		keep(f)
	}

	t.Run("replies sent while away arrive on reconnect", func(t *testing.T) {
		for _, r := range []*parley.Message{r2, r3} {
			if have[r.ID] != r.Body {
				t.Errorf("reply %d %q missing after reconnect (shown: %q)", r.ID, r.Body, have[r.ID])
			}
		}
	})
	t.Run("the widget holds exactly the visible thread", func(t *testing.T) {
		msgs, _, err := e.Store.FindMessages(context.Background(), parley.MessageFilter{ConversationID: convID})
		if err != nil {
			t.Fatal(err)
		}
		bodies := map[string]int{}
		for _, m := range msgs {
			bodies[m.Body]++
			if _, ok := have[m.ID]; !ok {
				t.Errorf("message %d %q never reached the visitor", m.ID, m.Body)
			}
		}
		if len(have) != len(msgs) {
			t.Errorf("visitor has %d messages, store %d", len(have), len(msgs))
		}
		shown := map[string]int{}
		for _, body := range have {
			shown[body]++
		}
		for body, n := range shown {
			if n != 1 {
				t.Errorf("%q shown %d times", body, n)
			}
		}
		if bodies["are you there?"] != 1 {
			t.Errorf("resent message stored %d times, want once", bodies["are you there?"])
		}
	})
}

func TestCatchUpWindow(t *testing.T) {
	t.Parallel()
	// A reply queued before the last message the visitor saw, but sent after
	// it, must still come back on catch-up.
	e := MustEnv(t, roomy, nil)
	s := e.MustSession(t, e.Channel, nil)
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	echo := v.MustSay(t, "window-001", "hello")
	late := &parley.Message{ConversationID: echo.Message.ConversationID, Direction: parley.DirectionOut, Kind: parley.KindText, Body: "late", AuthorAgentID: &e.Agent.ID}
	if err := e.Store.CreateMessage(context.Background(), late); err != nil {
		t.Fatal(err)
	}
	after := v.MustSay(t, "window-002", "second")
	v.conn.CloseNow()
	if err := e.Bus.PublishOutbound(context.Background(), late.ID, 0); err != nil {
		t.Fatal(err)
	}
	eventually(t, "late reply sent", func() bool { return statusOf(t, e, late.ID) == parley.MessageSent })
	v2 := e.MustConnect(t, e.Channel, s.Token, after.Message.ID)
	found := false
	for _, f := range v2.collect(t, isType("caught_up")) {
		found = found || (f.Type == "message" && f.Message.ID == late.ID)
	}
	if !found {
		t.Fatalf("reply %d (id below the last seen %d, sent later) missing from catch-up", late.ID, after.Message.ID)
	}
}
