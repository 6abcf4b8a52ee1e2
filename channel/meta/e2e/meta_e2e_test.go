package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// TestMessengerConversationRoundTrip: a customer writes on Messenger (a
// signed webhook), the ticket appears, the agent's reply reaches the
// platform, and the platform's delivery and read receipts move the reply
// to read.
func TestMessengerConversationRoundTrip(t *testing.T) {
	n := mustStartNode(t)
	const user = "2470000000000001"
	if _, err := n.fake.MessengerText(n.demo.PageID, user, "Has my order #1042 shipped?"); err != nil {
		t.Fatal(err)
	}
	conv := n.mustTicket(t, parley.PlatformMessenger, user)
	if msgs := n.messages(t, conv.ID); len(msgs) != 1 || msgs[0].Body != "Has my order #1042 shipped?" || msgs[0].Direction != parley.DirectionIn {
		t.Fatalf("ticket thread = %+v", msgs)
	}
	sent := n.reply(t, conv.ID, map[string]any{"body": "It left the warehouse today."})
	read := n.waitStatus(t, conv.ID, sent.ID, parley.MessageRead)
	got := n.sends("/"+n.demo.PageID+"/messages", "It left the warehouse today.")
	if len(got) != 1 || got[0].Status != 200 {
		t.Fatalf("the platform received %d sends of the reply: %+v", len(got), got)
	}
	if !strings.Contains(string(got[0].Answer), read.ExternalID) || read.ExternalID == "" {
		t.Errorf("stored external id %q is not the platform's answer %s", read.ExternalID, got[0].Answer)
	}
}

// TestWhatsAppWindowAndTemplate: after 24 hours without a customer
// message, free text is refused with a reason the agent can act on, and
// an approved template with variables goes out and is read.
func TestWhatsAppWindowAndTemplate(t *testing.T) {
	n := mustStartNode(t)
	const user = "351912345678"
	n.skew.Store(int64(-25 * time.Hour))
	if _, err := n.fake.WhatsAppText(n.demo.PhoneNumberID, user, "Rui Costa", "Olá, preciso de ajuda"); err != nil {
		t.Fatal(err)
	}
	n.skew.Store(0)
	conv := n.mustTicket(t, parley.PlatformWhatsApp, user)

	t.Run("free text outside the window is refused with the reason", func(t *testing.T) {
		m := n.reply(t, conv.ID, map[string]any{"body": "Sorry for the wait!"})
		failed := n.waitStatus(t, conv.ID, m.ID, parley.MessageFailed)
		if !strings.Contains(strings.ToLower(failed.FailureReason), "template") || failed.FailureCode == "" {
			t.Errorf("failure %q / %q does not tell the agent to use a template", failed.FailureCode, failed.FailureReason)
		}
		if got := n.sends("/"+n.demo.PhoneNumberID+"/messages", "Sorry for the wait!"); len(got) > 0 && got[0].Status == 200 {
			t.Errorf("the platform accepted text outside the window: %+v", got)
		}
	})
	t.Run("a template with variables is sent and read", func(t *testing.T) {
		params, _ := json.Marshal([]string{"Rui", "#1042"})
		m := n.reply(t, conv.ID, map[string]any{"kind": "template", "body": "Order update for Rui: #1042",
			"metadata": map[string]string{"template_name": "order_update", "template_language": "en_US", "template_params": string(params)}})
		n.waitStatus(t, conv.ID, m.ID, parley.MessageRead)
		got := n.sends("/"+n.demo.PhoneNumberID+"/messages", "order_update")
		if len(got) != 1 || !strings.Contains(string(got[0].Body), `"#1042"`) {
			t.Fatalf("template sends = %+v", got)
		}
	})
	t.Run("templates synced when the channel was created are checked before queueing", func(t *testing.T) {
		var synced struct{ Items []parley.Template }
		n.do(t, "GET", fmt.Sprintf("/api/v1/channels/%d/templates", n.channels[parley.PlatformWhatsApp].ID), nil, &synced)
		if len(synced.Items) != 1 || synced.Items[0].Name != "order_update" || synced.Items[0].Params != 2 {
			t.Fatalf("synced %+v", synced.Items)
		}
		n.do(t, "POST", fmt.Sprintf("/api/v1/channels/%d/templates/sync", n.channels[parley.PlatformWhatsApp].ID), nil, &synced)
		if len(synced.Items) != 1 {
			t.Fatalf("after an explicit sync %+v", synced.Items)
		}
		for name, meta := range map[string]map[string]string{
			"wrong count": {"template_name": "order_update", "template_params": `["only one"]`},
			"unknown":     {"template_name": "spring_sale", "template_params": `[]`},
		} {
			status, raw := n.call(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]any{"kind": "template", "body": "x", "metadata": meta})
			if status != 422 {
				t.Errorf("%s: %d %s", name, status, raw)
			}
		}
	})
}

// TestRevokedTokenHoldsRepliesUntilReconnected: the platform refuses the
// token (190); the channel is marked disconnected with the reason, the
// reply is held rather than lost, and once an admin saves a new token the
// held reply goes out.
func TestRevokedTokenHoldsRepliesUntilReconnected(t *testing.T) {
	n := mustStartNode(t)
	const user = "2470000000000002"
	if _, err := n.fake.MessengerText(n.demo.PageID, user, "Can I change my address?"); err != nil {
		t.Fatal(err)
	}
	conv := n.mustTicket(t, parley.PlatformMessenger, user)
	n.fake.SetToken(n.demo.PageID, "fresh-page-token")

	m := n.reply(t, conv.ID, map[string]any{"body": "Yes, send me the new one."})
	chPath := fmt.Sprintf("/api/v1/channels/%d", n.channels[parley.PlatformMessenger].ID)
	var ch parley.Channel
	n.waitFor(t, "the channel to be marked disconnected", func() bool {
		n.do(t, "GET", chPath, nil, &ch)
		return ch.Status == parley.ChannelDisconnected
	})
	if ch.StatusReason == "" {
		t.Error("disconnected without a reason")
	}
	// The sender marks the channel first and then holds the reply (so a
	// crash in between never leaves a held reply on an active channel).
	var held *parley.Message
	n.waitFor(t, "the reply to be held", func() bool {
		held = n.message(t, conv.ID, m.ID)
		return held.Status != parley.MessageSending
	})
	if held.Status != parley.MessageQueued || held.FailureReason == "" {
		t.Fatalf("held reply = %s %q; want queued with the reason", held.Status, held.FailureReason)
	}

	n.do(t, "PATCH", chPath, map[string]any{"status": "active", "secrets": map[string]string{"access_token": "fresh-page-token"}}, &ch)
	n.waitStatus(t, conv.ID, m.ID, parley.MessageRead)
	var ok int
	for _, r := range n.sends("/"+n.demo.PageID+"/messages", "Yes, send me the new one.") {
		if r.Status == 200 {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("reply delivered %d times after the reconnect; want once", ok)
	}
}

// TestPageCommentPublicAndPrivateReply: a comment on a Page post becomes a
// ticket on the Page-comments channel (the Messenger channel of the same
// Page ignores it); the agent answers in public under the comment and in
// private in Messenger.
func TestPageCommentPublicAndPrivateReply(t *testing.T) {
	n := mustStartNode(t)
	const user = "7100000000000001"
	commentID, err := n.fake.Comment(n.demo.PageID, n.demo.PageID+"_555", "", user, "Bo Chen", "Do you ship to Portugal?")
	if err != nil {
		t.Fatal(err)
	}
	conv := n.mustTicket(t, parley.PlatformFacebookComments, user)
	if conv.ThreadKey != commentID {
		t.Errorf("thread key %q, want the comment %q", conv.ThreadKey, commentID)
	}

	pub := n.reply(t, conv.ID, map[string]any{"body": "We do, in 3 days!", "metadata": map[string]string{"reply_mode": "public"}})
	n.waitStatus(t, conv.ID, pub.ID, parley.MessageSent)
	if got := n.sends("/"+commentID+"/comments", "We do"); len(got) != 1 || got[0].Status != 200 {
		t.Fatalf("public replies = %+v", got)
	}
	// Meta reports the Page's own comments back, Parley's reply among them;
	// a comment the Page typed on Facebook after it joins the thread too.
	// Both come on the Page's partition in order, so once the typed one is
	// in the ticket the echo of the reply was handled.
	n.fake.Flush()
	typed, err := n.fake.Comment(n.demo.PageID, n.demo.PageID+"_555", commentID, n.demo.PageID, "Demo Page", "Also to Spain.")
	if err != nil {
		t.Fatal(err)
	}
	n.waitFor(t, "the Page's own comment in the ticket", func() bool {
		for _, m := range n.messages(t, conv.ID) {
			if m.ExternalID == typed && m.Direction == parley.DirectionOut && m.Body == "Also to Spain." {
				return true
			}
		}
		return false
	})
	var copies int
	for _, m := range n.messages(t, conv.ID) {
		if m.Body == "We do, in 3 days!" {
			copies++
			if m.ID != pub.ID || m.ExternalID == "" {
				t.Errorf("the reply's echo became message %+v", m)
			}
		}
	}
	if copies != 1 {
		t.Errorf("the public reply is in the ticket %d times", copies)
	}

	priv := n.reply(t, conv.ID, map[string]any{"body": "Here is a discount code: BO10", "metadata": map[string]string{"reply_mode": "private"}})
	n.waitStatus(t, conv.ID, priv.ID, parley.MessageSent)
	got := n.sends("/"+n.demo.PageID+"/messages", "BO10")
	if len(got) != 1 || got[0].Status != 200 || !strings.Contains(string(got[0].Body), commentID) {
		t.Fatalf("private replies = %+v", got)
	}

	var page struct{ Items []*parley.Conversation }
	n.do(t, "GET", fmt.Sprintf("/api/v1/conversations?channel_id=%d", n.channels[parley.PlatformMessenger].ID), nil, &page)
	if len(page.Items) != 0 {
		t.Errorf("the comment also opened %d Messenger tickets", len(page.Items))
	}
}

// TestLongReplyIsSplitForMessenger: a reply over Messenger's text limit
// reaches the customer as several messages cut at sentence ends.
func TestLongReplyIsSplitForMessenger(t *testing.T) {
	n := mustStartNode(t)
	const user = "2470000000000003"
	if _, err := n.fake.MessengerText(n.demo.PageID, user, "Tell me everything about returns."); err != nil {
		t.Fatal(err)
	}
	conv := n.mustTicket(t, parley.PlatformMessenger, user)
	sentence := "You can return any item within thirty days of delivery. "
	long := strings.Repeat(sentence, 60) // 3,360 characters; Messenger takes 2,000
	m := n.reply(t, conv.ID, map[string]any{"body": long})
	n.waitStatus(t, conv.ID, m.ID, parley.MessageSent)
	parts := n.sends("/"+n.demo.PageID+"/messages", "thirty days")
	if len(parts) != 2 {
		t.Fatalf("%d parts reached the platform, want 2", len(parts))
	}
	var joined []string
	for _, p := range parts {
		var body struct{ Message struct{ Text string } }
		_ = json.Unmarshal(p.Body, &body)
		if p.Status != 200 || !strings.HasSuffix(body.Message.Text, "delivery.") {
			t.Errorf("part answered %d, text ends %q", p.Status, body.Message.Text[max(0, len(body.Message.Text)-20):])
		}
		joined = append(joined, body.Message.Text)
	}
	if strings.Join(joined, " ") != strings.TrimSpace(long) {
		t.Error("the parts do not add up to the reply")
	}
}
