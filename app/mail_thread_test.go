package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
	"github.com/parleyhq/parley/channel/email/mailtest"
)

// TestMailReplyThreading: an agent's reply answers the customer's last
// mail (Message-ID kept as the message's platform id, In-Reply-To and
// References continuing the customer's chain, Reply-To carrying the
// ticket token), and the customer's answer to it, which names only our
// Message-ID, comes back by IMAP into the same ticket.
func TestMailReplyThreading(t *testing.T) {
	dovecot := mailtest.StartDovecot(t, nil, "")
	capture := mailtest.StartSMTPCapture(t, "none", "", "")
	var channelID int64
	a := mustNewApp(t, func(a *app.App) { channelID = mustIMAPChannel(t, a, dovecot, capture) })
	c := mustSignIn(t, a)

	deliverMail(t, dovecot, "<m2@customer.example>", "References: <m0@customer.example> <m1@customer.example>\r\n"+
		"In-Reply-To: <m1@customer.example>\r\nCc: Bo <bo@customer.example>, support@example.com\r\n", "Where is order 1042?")
	deliverMail(t, dovecot, "<m3@customer.example>", "References: <m0@customer.example> <m1@customer.example> <m2@customer.example>\r\n"+
		"In-Reply-To: <m2@customer.example>\r\n", "Any news?")
	var conv *parley.Conversation
	eventually(t, 20*time.Second, "both mails in one ticket", func() bool {
		convs := conversationsOn(c, channelID)
		if len(convs) == 1 && len(messagesOf(c, convs[0].ID)) == 2 {
			conv = convs[0]
		}
		return conv != nil
	})

	var reply parley.Message
	c.do("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]string{"body": "It ships today."}, &reply)
	sent := capturedMail(t, capture, 1)[0]
	stored := sentMessage(t, c, conv.ID, reply.ID)
	if got := sent.Header.Get("Message-Id"); got != "<"+stored.ExternalID+">" {
		t.Errorf("Message-ID %q, stored platform id %q", got, stored.ExternalID)
	}
	if got := sent.Header.Get("In-Reply-To"); got != "<m3@customer.example>" {
		t.Errorf("In-Reply-To = %q, want the last inbound mail", got)
	}
	wantRefs := "<m0@customer.example> <m1@customer.example> <m2@customer.example> <m3@customer.example>"
	if got := strings.Join(strings.Fields(sent.Header.Get("References")), " "); got != wantRefs {
		t.Errorf("References = %q, want %q", got, wantRefs)
	}
	if rt := sent.Header.Get("Reply-To"); !strings.Contains(rt, "support+"+conv.ThreadKey+"@example.com") {
		t.Errorf("Reply-To = %q, want the ticket token %s", rt, conv.ThreadKey)
	}

	// A client that keeps only In-Reply-To and writes to the plain address.
	deliverMail(t, dovecot, "<m4@customer.example>", "In-Reply-To: "+sent.Header.Get("Message-Id")+"\r\n", "Thanks!")
	eventually(t, 20*time.Second, "the answer in the same ticket", func() bool { return len(messagesOf(c, conv.ID)) == 4 })
	if n := len(conversationsOn(c, channelID)); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}

// mustIMAPChannel creates an e-mail channel reading dovecot's INBOX and
// sending through capture.
func mustIMAPChannel(t testing.TB, a *app.App, dovecot *mailtest.Dovecot, capture *mailtest.SMTPCapture) int64 {
	t.Helper()
	ch := &parley.Channel{Platform: parley.PlatformEmail, Name: "Support mailbox", Status: parley.ChannelActive,
		Config: map[string]string{
			"from_address": "support@example.com", "from_name": "Example Support",
			"imap_host": "127.0.0.1", "imap_port": strconv.Itoa(dovecot.Port), "imap_tls": "none", "imap_username": dovecot.User,
			"smtp_host": "127.0.0.1", "smtp_port": strconv.Itoa(capture.Port), "smtp_tls": "none",
		},
		Secrets: map[string]string{"imap_password": dovecot.Password}}
	if err := a.Store.CreateChannel(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	return ch.ID
}

// deliverMail puts a customer's mail into the mailbox.
func deliverMail(t testing.TB, dovecot *mailtest.Dovecot, messageID, extraHeaders, body string) {
	t.Helper()
	dovecot.Deliver(t, []byte("From: Ana <ana@customer.example>\r\nTo: support@example.com\r\nSubject: Order 1042\r\n"+
		"Message-ID: "+messageID+"\r\n"+extraHeaders+"Date: "+time.Now().Format(time.RFC1123Z)+"\r\n\r\n"+body+"\r\n"))
}

// capturedMail waits until the SMTP capture holds n mails and parses them.
func capturedMail(t testing.TB, capture *mailtest.SMTPCapture, n int) []*mail.Message {
	t.Helper()
	var raws [][]byte
	eventually(t, 20*time.Second, "mail captured by SMTP", func() bool {
		raws = capture.Messages(t)
		return len(raws) >= n
	})
	var out []*mail.Message
	for _, raw := range raws {
		m, err := mail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// sentMessage waits until a reply is recorded as sent and returns it.
func sentMessage(t testing.TB, c *agentClient, convID, id int64) *parley.Message {
	t.Helper()
	var sent *parley.Message
	eventually(t, 20*time.Second, "reply recorded as sent", func() bool {
		for _, m := range messagesOf(c, convID) {
			if m.ID == id && m.Status == parley.MessageSent {
				sent = m
			}
		}
		return sent != nil
	})
	return sent
}

// TestStartMailConversation: an agent writes first to an address; the
// mail carries the new ticket's token, and the customer's answer comes
// back by IMAP into that ticket, from the contact it was sent to.
func TestStartMailConversation(t *testing.T) {
	dovecot := mailtest.StartDovecot(t, nil, "")
	capture := mailtest.StartSMTPCapture(t, "none", "", "")
	var channelID, apiChannel int64
	a := mustNewApp(t, func(a *app.App) {
		channelID = mustIMAPChannel(t, a, dovecot, capture)
		ch := &parley.Channel{Platform: parley.PlatformAPI, Name: "API", Status: parley.ChannelActive, Secrets: map[string]string{"secret": "s3cret"}}
		if err := a.Store.CreateChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
		apiChannel = ch.ID
	})
	c := mustSignIn(t, a)

	var conv parley.Conversation
	c.do("POST", "/api/v1/conversations", map[string]any{"channel_id": channelID, "address": "Cleo@Customer.example",
		"name": "Cleo", "subject": "Your invoice 77", "body": "Your invoice is attached below."}, &conv)
	if conv.ID == 0 || conv.ThreadKey == "" || conv.Subject != "Your invoice 77" || conv.AssigneeID == nil || conv.Contact == nil || conv.Contact.Name != "Cleo" {
		t.Fatalf("conversation = %+v", conv)
	}
	sent := capturedMail(t, capture, 1)[0]
	msgs := messagesOf(c, conv.ID)
	if len(msgs) != 1 {
		t.Fatalf("thread = %+v", msgs)
	}
	stored := sentMessage(t, c, conv.ID, msgs[0].ID)
	if to := sent.Header.Get("To"); !strings.Contains(to, "cleo@customer.example") {
		t.Errorf("To = %q", to)
	}
	if s := sent.Header.Get("Subject"); s != "Your invoice 77" {
		t.Errorf("Subject = %q, want no Re: on a first mail", s)
	}
	if id := sent.Header.Get("Message-Id"); id != "<"+stored.ExternalID+">" || !strings.HasPrefix(id, "<"+conv.ThreadKey+".") {
		t.Errorf("Message-ID %q: want the stored %q, carrying the token %s", id, stored.ExternalID, conv.ThreadKey)
	}
	if rt := sent.Header.Get("Reply-To"); !strings.Contains(rt, "support+"+conv.ThreadKey+"@example.com") {
		t.Errorf("Reply-To = %q", rt)
	}
	if sent.Header.Get("In-Reply-To") != "" {
		t.Errorf("a first mail answers %q", sent.Header.Get("In-Reply-To"))
	}

	dovecot.Deliver(t, []byte("From: Cleo <cleo@customer.example>\r\nTo: support@example.com\r\nSubject: Re: Your invoice 77\r\n"+
		"Message-ID: <c1@customer.example>\r\nIn-Reply-To: "+sent.Header.Get("Message-Id")+"\r\nReferences: "+sent.Header.Get("Message-Id")+"\r\n"+
		"Date: "+time.Now().Format(time.RFC1123Z)+"\r\n\r\nThanks, paid.\r\n"))
	eventually(t, 20*time.Second, "the answer in the started ticket", func() bool { return len(messagesOf(c, conv.ID)) == 2 })
	if n := len(conversationsOn(c, channelID)); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}

	t.Run("refused to a contact who opted out of e-mail", func(t *testing.T) {
		c.do("PUT", fmt.Sprintf("/api/v1/contacts/%d/consents", conv.ContactID),
			map[string]any{"platform": "email", "purpose": "marketing", "granted": false, "source": "unsubscribe link"}, nil)
		for _, body := range []map[string]any{
			{"channel_id": channelID, "address": "cleo@customer.example", "body": "A new offer"},
			{"channel_id": channelID, "contact_id": conv.ContactID, "body": "A new offer"},
		} {
			if code := c.status("POST", "/api/v1/conversations", body); code != http.StatusUnprocessableEntity {
				t.Errorf("%v = %d, want 422", body, code)
			}
		}
	})
	t.Run("refused where the customer must write first", func(t *testing.T) {
		code := c.status("POST", "/api/v1/conversations", map[string]any{"channel_id": apiChannel, "address": "x@customer.example", "body": "hi"})
		if code != http.StatusUnprocessableEntity {
			t.Errorf("= %d, want 422", code)
		}
	})
	t.Run("refused without a contact or a valid address", func(t *testing.T) {
		for _, body := range []map[string]any{
			{"channel_id": channelID, "body": "hi"},
			{"channel_id": channelID, "address": "not an address", "body": "hi"},
			{"channel_id": channelID, "address": "x@customer.example", "body": " "},
		} {
			if code := c.status("POST", "/api/v1/conversations", body); code != http.StatusBadRequest {
				t.Errorf("%v = %d, want 400", body, code)
			}
		}
	})
}
