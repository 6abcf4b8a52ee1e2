package widget_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email/mailtest"
	"github.com/parleyhq/parley/channel/widget"
)

func TestVisitorPresence(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	var seen presenceLog
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.Bus.SubscribePresence(ctx, seen.add); err != nil {
		t.Fatal(err)
	}
	s := e.MustSession(t, e.Channel, map[string]any{"name": "Noor"})
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	echo := v.MustSay(t, "presence-01", "hi")
	conv, err := e.Store.FindConversationByID(ctx, echo.Message.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	visitor := func(a parley.Activity) func(parley.PresenceInfo) bool {
		return func(p parley.PresenceInfo) bool {
			return p.AgentID == -conv.ContactID && p.ConversationID == conv.ID && p.Activity == a && p.AgentName == "Noor"
		}
	}
	t.Run("an open widget shows the visitor viewing the ticket", func(t *testing.T) {
		eventually(t, "viewing notice", func() bool { return seen.find(visitor(parley.ActivityViewing)) })
		if !e.Handler.VisitorOnline(conv.ContactID, e.Channel.ID) {
			t.Fatal("visitor with an open socket is not online")
		}
	})
	t.Run("closing it says the visitor left", func(t *testing.T) {
		v.conn.CloseNow()
		eventually(t, "left notice", func() bool { return seen.find(visitor(parley.ActivityLeft)) })
		eventually(t, "offline", func() bool { return !e.Handler.VisitorOnline(conv.ContactID, e.Channel.ID) })
	})
}

// TestOfflineEmail: a visitor who left their address and the page gets
// the agent's reply by mail, in the same ticket; a visitor on the page
// does not.
func TestOfflineEmail(t *testing.T) {
	t.Parallel()
	smtp := mailtest.StartSMTPCapture(t, "none", "", "")
	e := MustEnv(t, roomy, nil)
	mail := &parley.Channel{Platform: parley.PlatformEmail, Name: "Support mail", Status: parley.ChannelActive, Config: map[string]string{
		"from_address": "support@acme.example", "from_name": "Acme support",
		"smtp_host": "127.0.0.1", "smtp_port": strconv.Itoa(smtp.Port), "smtp_tls": "none",
	}}
	if err := e.Store.CreateChannel(context.Background(), mail); err != nil {
		t.Fatal(err)
	}
	off := widget.ConfigOfflineEmail
	id := strconv.FormatInt(mail.ID, 10)
	if _, err := e.Store.UpdateChannel(context.Background(), e.Channel.ID, parley.ChannelUpdate{Config: map[string]*string{off: &id}}); err != nil {
		t.Fatal(err)
	}

	s := e.MustSession(t, e.Channel, map[string]any{"email": "away@example.com", "name": "Away Visitor"})
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	echo := v.MustSay(t, "offline-001", "Please answer by mail, I have to go")
	convID := echo.Message.ConversationID

	t.Run("a visitor on the page gets the reply in the widget only", func(t *testing.T) {
		r := e.MustReply(t, convID, "On the page reply")
		v.MustFrame(t, "reply", func(f frame) bool { return f.Type == "message" && f.Message.ID == r.ID })
		time.Sleep(300 * time.Millisecond)
		if n := len(smtp.Messages(t)); n != 0 {
			t.Fatalf("%d mails sent to a visitor who is on the page", n)
		}
	})

	t.Run("a visitor who left gets the reply by mail, in the same ticket", func(t *testing.T) {
		v.conn.CloseNow()
		eventually(t, "visitor gone", func() bool {
			c, _ := e.Store.FindConversationByID(context.Background(), convID)
			return !e.Handler.VisitorOnline(c.ContactID, e.Channel.ID)
		})
		r := e.MustReply(t, convID, "Here is your answer by mail")
		var raw string
		eventually(t, "mail", func() bool {
			for _, m := range smtp.Messages(t) {
				if strings.Contains(string(m), "Here is your answer by mail") {
					raw = string(m)
				}
			}
			return raw != ""
		})
		if !strings.Contains(raw, "away@example.com") || !strings.Contains(raw, "support@acme.example") {
			t.Errorf("mail headers:\n%s", raw)
		}
		eventually(t, "reply recorded sent", func() bool { return statusOf(t, e, r.ID) == parley.MessageSent })
		if m, err := e.Store.FindMessageByID(context.Background(), r.ID); err != nil || m.ConversationID != convID {
			t.Fatalf("reply %+v %v: want it in the widget ticket", m, err)
		}
		back := e.MustConnect(t, e.Channel, s.Token, 0)
		back.MustFrame(t, "the mailed reply in the widget too", func(f frame) bool { return f.Type == "message" && f.Message.ID == r.ID })
	})
}
