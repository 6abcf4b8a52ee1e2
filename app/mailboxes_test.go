package app_test

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
	"github.com/parleyhq/parley/channel/email/mailtest"
)

// TestMailInByIMAPReplyOutBySMTP runs the e-mail channel through the whole
// node against real servers: a mail delivered into Dovecot becomes a ticket
// (picked up by the node's IMAP poller), and the agent's reply leaves by
// SMTP threaded to the customer's mail.
func TestMailInByIMAPReplyOutBySMTP(t *testing.T) {
	dovecot := mailtest.StartDovecot(t, nil, "")
	smtp := mailtest.StartSMTPCapture(t, "none", "", "")
	var channelID int64
	a := mustNewApp(t, func(a *app.App) {
		ch := &parley.Channel{Platform: parley.PlatformEmail, Name: "Support mailbox", Status: parley.ChannelActive,
			Config: map[string]string{
				"from_address": "support@example.com", "from_name": "Example Support",
				"imap_host": "127.0.0.1", "imap_port": strconv.Itoa(dovecot.Port), "imap_tls": "none", "imap_username": dovecot.User,
				"smtp_host": "127.0.0.1", "smtp_port": strconv.Itoa(smtp.Port), "smtp_tls": "none",
			},
			Secrets: map[string]string{"imap_password": dovecot.Password}}
		if err := a.Store.CreateChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
		channelID = ch.ID
	})
	dovecot.Deliver(t, []byte("From: Ana Silva <Ana.Silva@Example.net>\r\nTo: support@example.com\r\n"+
		"Subject: =?UTF-8?B?6YCA5qy+?= refund\r\nMessage-ID: <first-1@example.net>\r\n"+
		"Date: "+time.Now().Format(time.RFC1123Z)+"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"我想申请退款，订单号是 12345\r\n"))

	c := mustSignIn(t, a)
	var conv *parley.Conversation
	eventually(t, 20*time.Second, "mail became a ticket", func() bool {
		convs := conversationsOn(c, channelID)
		if len(convs) == 1 {
			conv = convs[0]
		}
		return conv != nil
	})
	msgs := messagesOf(c, conv.ID)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "我想申请退款") {
		t.Fatalf("thread = %+v", msgs)
	}
	if conv.Contact == nil || conv.Contact.Name != "Ana Silva" {
		t.Errorf("contact = %+v", conv.Contact)
	}

	c.do("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]string{"body": "Your refund is on its way.", "kind": "text"}, nil)
	var sent []byte
	eventually(t, 20*time.Second, "reply captured by SMTP", func() bool {
		if m := smtp.Messages(t); len(m) > 0 {
			sent = m[0]
		}
		return sent != nil
	})
	msg, err := mail.ReadMessage(strings.NewReader(string(sent)))
	if err != nil {
		t.Fatal(err)
	}
	if to := msg.Header.Get("To"); !strings.Contains(strings.ToLower(to), "ana.silva@example.net") {
		t.Errorf("To = %q", to)
	}
	if rt := msg.Header.Get("Reply-To"); !strings.Contains(rt, "support+t") {
		t.Errorf("Reply-To carries no ticket token: %q", rt)
	}
	eventually(t, 10*time.Second, "reply marked sent", func() bool {
		for _, m := range messagesOf(c, conv.ID) {
			if m.Direction == parley.DirectionOut && m.Status == parley.MessageSent {
				return true
			}
		}
		return false
	})
}
