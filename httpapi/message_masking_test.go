package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/email"
	"github.com/parleyhq/parley/httpapi"
)

const (
	mailCc      = "bo.berg@example.com, cy.chen@example.org"
	mailReplyTo = "ana.private@example.net"
)

// mustMailTicket ingests a customer's mail, Cc'd to two others and with a
// Reply-To, into a ticket of the team on a real e-mail channel.
func (te *teamEnv) mustMailTicket(tb testing.TB) *parley.Conversation {
	tb.Helper()
	ch := &parley.Channel{Platform: parley.PlatformEmail, Name: "Support mail", Status: parley.ChannelActive, Config: map[string]string{
		"from_address": "support@parley.example", "smtp_host": "127.0.0.1", "smtp_port": "1", "smtp_tls": "none"}}
	if err := te.Store.CreateChannel(context.Background(), ch); err != nil {
		tb.Fatal(err)
	}
	ev := &parley.InboundEvent{Kind: parley.InboundMessage, ChannelID: ch.ID, Platform: parley.PlatformEmail,
		ExternalID: "m1@customer.example", Direction: parley.DirectionIn, Timestamp: time.Now().UTC(), Text: "Where is my order?",
		Sender:   parley.Sender{Kind: parley.IdentityEmail, ID: "ana.silva@example.com", Name: "Ana", Verified: true},
		Metadata: map[string]string{email.MetaCc: mailCc, email.MetaReplyTo: mailReplyTo, email.MetaReferences: "m1@customer.example"}}
	res, err := te.Store.Ingest(context.Background(), []*parley.InboundEvent{ev})
	if err != nil || res[0].Conversation == nil {
		tb.Fatalf("ingest: %v %+v", err, res)
	}
	return te.MustPatch(tb, res[0].Conversation, map[string]any{"team_id": te.Team.ID})
}

func withEmailAdapter(c *httpapi.Config) {
	c.Adapters.(*channel.Registry).Register(parley.PlatformEmail, email.New)
}

func leaksMailAddresses(body string) bool {
	return strings.Contains(body, "bo.berg@") || strings.Contains(body, "cy.chen@") || strings.Contains(body, "ana.private@")
}

func TestMailAddressesInMessagesFollowTheFieldPolicy(t *testing.T) {
	te := MustTeamEnv(t, withEmailAdapter)
	conv := te.mustMailTicket(t)
	messagesPath := "/api/v1/conversations/" + itoa(conv.ID) + "/messages"

	t.Run("an agent's message list masks Cc and Reply-To", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "GET", Path: messagesPath, Token: te.Member})
		if rec.Code != http.StatusOK {
			t.Fatalf("list: %d %s", rec.Code, rec.Body)
		}
		if body := rec.Body.String(); leaksMailAddresses(body) || !strings.Contains(body, `"b***@example.com, c***@example.org"`) ||
			!strings.Contains(body, `"a***@example.net"`) {
			t.Fatalf("agent's list: %s", body)
		}
	})
	t.Run("admins and supervisors see them in full", func(t *testing.T) {
		for _, token := range []string{te.Admin, te.Super} {
			body := Do(t, te.Srv, Req{Method: "GET", Path: messagesPath, Token: token}).Body.String()
			if !strings.Contains(body, mailCc) || !strings.Contains(body, mailReplyTo) {
				t.Fatalf("full list: %s", body)
			}
		}
	})
	reply := func(t *testing.T, metadata map[string]string) *parley.Message {
		t.Helper()
		rec := Do(t, te.Srv, Req{Method: "POST", Path: messagesPath, Token: te.Member,
			Body: map[string]any{"body": "It ships today", "metadata": metadata}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("reply: %d %s", rec.Code, rec.Body)
		}
		if leaksMailAddresses(rec.Body.String()) {
			t.Errorf("the agent's reply answer shows the Cc: %s", rec.Body)
		}
		m := MustDecode[*parley.Message](t, rec)
		stored, err := te.Store.FindMessageByID(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return stored
	}
	t.Run("a masked agent's reply still goes to everyone on the mail", func(t *testing.T) {
		if got := reply(t, nil).Metadata[email.MetaCc]; got != mailCc {
			t.Fatalf("stored reply Cc %q, want %q", got, mailCc)
		}
	})
	t.Run("masked addresses sent back by a screen are never mailed", func(t *testing.T) {
		if got := reply(t, map[string]string{email.MetaCc: "b***@example.com, c***@example.org"}).Metadata[email.MetaCc]; got != mailCc {
			t.Fatalf("stored reply Cc %q, want the stored addresses %q", got, mailCc)
		}
	})
	t.Run("retrying a failed reply answers with the Cc masked", func(t *testing.T) {
		failed := &parley.Message{ConversationID: conv.ID, ChannelID: conv.ChannelID, Platform: parley.PlatformEmail, ContactID: &conv.ContactID,
			Direction: parley.DirectionOut, Kind: parley.KindText, Body: "retry me", Status: parley.MessageFailed,
			AuthorAgentID: &te.MemberAgent.ID, Metadata: map[string]string{email.MetaCc: mailCc}}
		if err := te.Store.CreateMessage(context.Background(), failed); err != nil {
			t.Fatal(err)
		}
		rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/messages/" + itoa(failed.ID) + "/retry", Token: te.Member})
		if rec.Code != http.StatusOK || leaksMailAddresses(rec.Body.String()) || !strings.Contains(rec.Body.String(), "b***@example.com") {
			t.Fatalf("retry: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("the published event keeps the addresses for the hub to mask per socket", func(t *testing.T) {
		te.Events.mu.Lock()
		defer te.Events.mu.Unlock()
		last := te.Events.events[len(te.Events.events)-1]
		if last.Message == nil || last.Message.Metadata[email.MetaCc] != mailCc {
			t.Fatalf("event %+v", last)
		}
	})
}
