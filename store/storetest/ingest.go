package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

func testIngest(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("first message creates contact, tagged ticket and message", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		res := MustIngest(t, st, MessageEvent(ch, "psid-1", "mid-1", "Hello, where is my order?", base))[0]
		if res.Duplicate || !res.ContactCreated || !res.ConversationCreated {
			t.Fatalf("result = %+v", res)
		}
		c := res.Conversation
		if c.Number <= 0 || c.Status != parley.StatusOpen || c.UnreadCount != 1 || c.LastPreview != "Hello, where is my order?" {
			t.Fatalf("conversation = %+v", c)
		}
		if len(c.Tags) != 1 || c.Tags[0] != parley.ChannelTag(parley.PlatformMessenger) {
			t.Fatalf("tags = %v", c.Tags)
		}
		if c.WaitingSince == nil || !c.WaitingSince.Equal(base) || c.LastInboundAt == nil || !c.LastInboundAt.Equal(base) {
			t.Fatalf("clocks: waiting %v, inbound %v", c.WaitingSince, c.LastInboundAt)
		}
		if res.Contact.Name != "Customer psid-1" || res.Message.Status != parley.MessageReceived || res.Message.Direction != parley.DirectionIn {
			t.Fatalf("contact %+v message %+v", res.Contact, res.Message)
		}
		stored := mustFindConversation(t, st, c.ID)
		if stored.Contact == nil || stored.Contact.ID != res.Contact.ID || stored.Version != c.Version {
			t.Fatalf("stored = %+v", stored)
		}
		contact, err := st.FindContactByID(ctx, res.Contact.ID)
		if err != nil || len(contact.Identities) != 1 || contact.Identities[0].Value != "psid-1" || contact.Identities[0].ScopeChannelID != ch.ID {
			t.Fatalf("contact %+v, %v", contact, err)
		}
	})

	t.Run("next message joins the ticket and bumps it", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		first := MustIngest(t, st, MessageEvent(ch, "psid-1", "mid-1", "one", base))[0]
		second := MustIngest(t, st, MessageEvent(ch, "psid-1", "mid-2", "two", base.Add(time.Minute)))[0]
		if second.ContactCreated || second.ConversationCreated || second.Contact.ID != first.Contact.ID || second.Conversation.ID != first.Conversation.ID {
			t.Fatalf("second = %+v", second)
		}
		c := second.Conversation
		if c.UnreadCount != 2 || c.LastPreview != "two" || !c.WaitingSince.Equal(base) || !c.LastInboundAt.Equal(base.Add(time.Minute)) ||
			c.Version <= first.Conversation.Version {
			t.Fatalf("conversation = %+v", c)
		}
	})

	t.Run("redelivered batch is all duplicates and changes nothing", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		batch := []*parley.InboundEvent{
			MessageEvent(ch, "a", "mid-a", "from a", base),
			MessageEvent(ch, "b", "mid-b", "from b", base),
		}
		first := MustIngest(t, st, batch...)
		before := mustFindConversation(t, st, first[0].Conversation.ID)
		again := MustIngest(t, st, batch...)
		for i, r := range again {
			if !r.Duplicate || r.Message == nil || r.Message.ID != first[i].Message.ID {
				t.Fatalf("redelivery %d = %+v", i, r)
			}
		}
		after := mustFindConversation(t, st, before.ID)
		if after.Version != before.Version || after.UnreadCount != before.UnreadCount {
			t.Fatalf("redelivery changed the ticket: %+v → %+v", before, after)
		}
		if n := len(mustMessages(t, st, before.ID)); n != 1 {
			t.Fatalf("%d messages after redelivery", n)
		}
	})

	t.Run("same new customer twice in one batch makes one contact", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		res := MustIngest(t, st,
			MessageEvent(ch, "new", "m1", "hi", base),
			MessageEvent(ch, "new", "m2", "anyone?", base.Add(time.Second)),
			MessageEvent(ch, "new", "m1", "hi", base), // repeated within the batch
		)
		if res[0].Contact.ID != res[1].Contact.ID || res[0].Conversation.ID != res[1].Conversation.ID {
			t.Fatalf("two contacts or tickets: %+v / %+v", res[0], res[1])
		}
		if !res[0].ContactCreated || res[1].ContactCreated || !res[2].Duplicate {
			t.Fatalf("flags: %+v %+v %+v", res[0], res[1], res[2])
		}
		if res[1].Conversation.UnreadCount != 2 {
			t.Fatalf("unread = %d", res[1].Conversation.UnreadCount)
		}
	})

	t.Run("verified phone links to the existing contact, unverified does not", func(t *testing.T) {
		st := open(t)
		wa := MustCreateChannel(t, st, parley.PlatformWhatsApp)
		ms := MustCreateChannel(t, st, parley.PlatformMessenger)
		owner := &parley.Contact{Name: "Ana", Identities: []*parley.Identity{{Kind: parley.IdentityPhone, Value: "+49 151 234567", Verified: true}}}
		if err := st.CreateContact(ctx, owner); err != nil {
			t.Fatal(err)
		}
		linked := MessageEvent(wa, "49151234567", "wamid-1", "hallo", base)
		linked.Sender.Extra = []parley.Identity{{Kind: parley.IdentityPhone, Value: "+49151234567", Verified: true}}
		claimed := MessageEvent(ms, "psid-x", "mid-x", "it's me, Ana", base)
		claimed.Sender.Extra = []parley.Identity{{Kind: parley.IdentityPhone, Value: "+49151234567", Verified: false}}
		res := MustIngest(t, st, linked, claimed)
		if res[0].Contact.ID != owner.ID || res[0].ContactCreated {
			t.Fatalf("verified phone did not link: %+v", res[0])
		}
		if res[1].Contact.ID == owner.ID || !res[1].ContactCreated {
			t.Fatalf("unverified phone linked: %+v", res[1])
		}
		c, _ := st.FindContactByID(ctx, res[1].Contact.ID)
		for _, id := range c.Identities {
			if id.Kind == parley.IdentityPhone {
				t.Fatalf("unverified phone stored as identity: %+v", id)
			}
		}
		o, _ := st.FindContactByID(ctx, owner.ID)
		if len(o.Identities) != 2 {
			t.Fatalf("owner identities = %d, want phone + whatsapp", len(o.Identities))
		}
	})

	t.Run("unverified e-mail sender does not join the contact of its address", func(t *testing.T) {
		st := open(t)
		mail := MustCreateChannel(t, st, parley.PlatformEmail)
		vip := &parley.Contact{Name: "VIP", Identities: []*parley.Identity{{Kind: parley.IdentityEmail, Value: "ceo@bigcorp.example", Verified: true}}}
		if err := st.CreateContact(ctx, vip); err != nil {
			t.Fatal(err)
		}
		spoofed := MessageEvent(mail, "CEO@bigcorp.example", "spoof-1@evil.example", "wire the money", base)
		spoofed.Sender.Verified = false
		again := MessageEvent(mail, "ceo@bigcorp.example", "spoof-2@evil.example", "urgently", base.Add(time.Minute))
		again.Sender.Verified = false
		res := MustIngest(t, st, spoofed)
		res = append(res, MustIngest(t, st, again)...)
		if res[0].Contact.ID == vip.ID || !res[0].ContactCreated {
			t.Fatalf("spoofed From joined the VIP: %+v", res[0])
		}
		if res[1].Contact.ID != res[0].Contact.ID || res[1].Conversation.ID != res[0].Conversation.ID {
			t.Fatalf("the same unverified sender split: %+v / %+v", res[0], res[1])
		}
		c, err := st.FindContactByID(ctx, res[0].Contact.ID)
		if err != nil || len(c.Identities) != 1 || c.Identities[0].Verified || c.Identities[0].ScopeChannelID != mail.ID {
			t.Fatalf("spoofer's identities = %+v, %v; want one unverified, scoped to the channel", c.Identities, err)
		}
		if o, _ := st.FindContactByID(ctx, vip.ID); len(o.Identities) != 1 {
			t.Fatalf("VIP identities = %+v", o.Identities)
		}
		verified := MustIngest(t, st, MessageEvent(mail, "ceo@bigcorp.example", "real-1@bigcorp.example", "hello", base.Add(2*time.Minute)))[0]
		if verified.Contact.ID != vip.ID {
			t.Fatalf("authenticated mail did not reach the VIP: %+v", verified)
		}
	})

	t.Run("resolved ticket reopens, closed ticket is replaced", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		conv := MustConversation(t, st, ch, "c", "first")
		resolved, err := st.UpdateConversation(ctx, conv.ID, parley.ConversationUpdate{Version: conv.Version, Status: ptr(parley.StatusResolved)})
		if err != nil {
			t.Fatal(err)
		}
		res := MustIngest(t, st, MessageEvent(ch, "c", "m-again", "me again", base.Add(time.Hour)))[0]
		if res.Conversation.ID != conv.ID || res.Conversation.Status != parley.StatusOpen || res.Conversation.ResolvedAt != nil {
			t.Fatalf("not reopened: %+v", res.Conversation)
		}
		if _, err := st.UpdateConversation(ctx, conv.ID, parley.ConversationUpdate{Version: res.Conversation.Version, Status: ptr(parley.StatusClosed)}); err != nil {
			t.Fatal(err)
		}
		res = MustIngest(t, st, MessageEvent(ch, "c", "m-new", "new question", base.Add(2*time.Hour)))[0]
		if res.Conversation.ID == conv.ID || !res.ConversationCreated || res.Conversation.Number <= conv.Number {
			t.Fatalf("closed ticket took the message: %+v (was %d, resolved %v)", res.Conversation, conv.ID, resolved.Status)
		}
	})

	t.Run("thread keys keep separate tickets", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformFacebookComments)
		a := MessageEvent(ch, "fan", "c1", "nice post", base)
		a.ThreadKey = "post1_c1"
		b := MessageEvent(ch, "fan", "c2", "other post", base)
		b.ThreadKey = "post2_c2"
		res := MustIngest(t, st, a, b)
		if res[0].Contact.ID != res[1].Contact.ID || res[0].Conversation.ID == res[1].Conversation.ID {
			t.Fatalf("threads: %+v / %+v", res[0].Conversation, res[1].Conversation)
		}
	})

	t.Run("echo is stored as sent without touching the reply window", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		conv := MustConversation(t, st, ch, "c", "question")
		echo := MessageEvent(ch, "c", "mid-echo", "answer from the page inbox", base.Add(time.Minute))
		echo.Direction = parley.DirectionOut
		res := MustIngest(t, st, echo)[0]
		if res.Message.Direction != parley.DirectionOut || res.Message.Status != parley.MessageSent || res.Conversation.ID != conv.ID {
			t.Fatalf("echo = %+v", res.Message)
		}
		if !res.Conversation.LastInboundAt.Equal(*conv.LastInboundAt) || res.Conversation.UnreadCount != conv.UnreadCount {
			t.Fatalf("echo moved the reply window: %+v", res.Conversation)
		}
		// An echo of a message we sent ourselves is already stored.
		reply := &parley.Message{ConversationID: conv.ID, Body: "our reply"}
		if err := st.CreateMessage(ctx, reply); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: reply.ID, Status: parley.MessageSent, ExternalID: "mid-ours"}); err != nil {
			t.Fatal(err)
		}
		ours := MessageEvent(ch, "c", "mid-ours", "our reply", base.Add(2*time.Minute))
		ours.Direction = parley.DirectionOut
		if res := MustIngest(t, st, ours)[0]; !res.Duplicate || res.Message.ID != reply.ID {
			t.Fatalf("echo of our own message stored again: %+v", res)
		}
	})

	t.Run("reactions, edits and deletes change the target message only", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		orig := MustIngest(t, st, MessageEvent(ch, "c", "mid-1", "helo", base))[0]
		react := &parley.InboundEvent{Kind: parley.InboundReaction, ChannelID: ch.ID, Platform: ch.Platform, ReplyTo: "mid-1",
			Sender: parley.Sender{Kind: parley.IdentityMessenger, ID: "c"}, Text: "❤️", Timestamp: base.Add(time.Hour)}
		edit := &parley.InboundEvent{Kind: parley.InboundEdit, ChannelID: ch.ID, Platform: ch.Platform, ReplyTo: "mid-1",
			Sender: parley.Sender{Kind: parley.IdentityMessenger, ID: "c"}, Text: "hello"}
		del := &parley.InboundEvent{Kind: parley.InboundDelete, ChannelID: ch.ID, Platform: ch.Platform, ExternalID: "mid-1",
			Sender: parley.Sender{Kind: parley.IdentityMessenger, ID: "c"}}
		typing := &parley.InboundEvent{Kind: parley.InboundTyping, ChannelID: ch.ID, Platform: ch.Platform,
			Sender: parley.Sender{Kind: parley.IdentityMessenger, ID: "c"}}
		res := MustIngest(t, st, react, edit, del, typing)
		if res[0].Message == nil || res[3].Message != nil || res[3].Conversation != nil {
			t.Fatalf("results = %+v", res)
		}
		m, err := st.FindMessageByID(ctx, orig.Message.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Body != "hello" || m.Metadata["original_body"] != "helo" || m.Metadata["reaction"] != "❤️" || m.Metadata["deleted"] != "true" {
			t.Fatalf("message = %+v", m)
		}
		conv := mustFindConversation(t, st, orig.Conversation.ID)
		if !conv.LastInboundAt.Equal(base) || conv.UnreadCount != 1 {
			t.Fatalf("reaction touched the reply window: %+v", conv)
		}
	})

	t.Run("malformed events are skipped, not fatal", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		noSender := MessageEvent(ch, "", "m-nosender", "who am I", base)
		badReceipt := &parley.InboundEvent{Kind: parley.InboundReceipt, ChannelID: ch.ID, Status: "lost", Targets: []string{"x"}}
		noTarget := &parley.InboundEvent{Kind: parley.InboundEdit, ChannelID: ch.ID, Text: "edit of nothing"}
		unknownKind := &parley.InboundEvent{Kind: "poke", ChannelID: ch.ID}
		good := MessageEvent(ch, "c", "m-good", "fine", base)
		res := MustIngest(t, st, nil, noSender, badReceipt, noTarget, unknownKind, good)
		for i, r := range res[:5] {
			if r.Message != nil || r.Conversation != nil || len(r.Updated) > 0 {
				t.Fatalf("malformed event %d stored: %+v", i, r)
			}
		}
		if res[5].Message == nil {
			t.Fatal("the good event was not stored")
		}
	})

	t.Run("events of unknown channels are skipped", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		ghost := &parley.Channel{ID: ch.ID + 1000, Platform: parley.PlatformMessenger}
		res := MustIngest(t, st, MessageEvent(ghost, "c", "m", "lost", base), MessageEvent(ch, "c", "m", "kept", base))
		if res[0].Message != nil || res[1].Message == nil {
			t.Fatalf("results = %+v", res)
		}
	})

	t.Run("concurrent batches of one new customer make one contact and one ticket", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformWhatsApp)
		for round := range 3 {
			sender := fmt.Sprintf("4917%d", round)
			var wg sync.WaitGroup
			results := make([][]parley.IngestResult, 2)
			errs := make([]error, 2)
			for g := range 2 {
				wg.Go(func() {
					ev := MessageEvent(ch, sender, fmt.Sprintf("wamid-%d-%d", round, g), "hi", base)
					ev.Sender.Extra = []parley.Identity{{Kind: parley.IdentityPhone, Value: "+" + sender, Verified: true}}
					results[g], errs[g] = st.Ingest(ctx, []*parley.InboundEvent{ev})
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			a, b := results[0][0], results[1][0]
			if a.Contact.ID != b.Contact.ID || a.Conversation.ID != b.Conversation.ID {
				t.Fatalf("round %d: contacts %d/%d tickets %d/%d", round, a.Contact.ID, b.Contact.ID, a.Conversation.ID, b.Conversation.ID)
			}
			if n := len(mustMessages(t, st, a.Conversation.ID)); n != 2 {
				t.Fatalf("round %d: %d messages", round, n)
			}
			contacts, _, err := st.FindContacts(ctx, parley.ContactFilter{Query: ptr(sender)})
			if err != nil || len(contacts) != 1 {
				t.Fatalf("round %d: %d contacts named %s (%v)", round, len(contacts), sender, err)
			}
		}
	})
}

func testReceipts(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := func(t *testing.T) (parley.Store, *parley.Channel, []*parley.Message) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformMessenger)
		conv := MustConversation(t, st, ch, "c", "hi")
		var sent []*parley.Message
		for i := range 3 {
			m := &parley.Message{ConversationID: conv.ID, Body: fmt.Sprintf("reply %d", i)}
			if err := st.CreateMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
			m, err := st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: m.ID, Status: parley.MessageSent,
				ExternalID: fmt.Sprintf("out-%d", i), At: base.Add(time.Duration(i) * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			sent = append(sent, m)
		}
		return st, ch, sent
	}
	receipt := func(ch *parley.Channel, status parley.MessageStatus) *parley.InboundEvent {
		return &parley.InboundEvent{Kind: parley.InboundReceipt, ChannelID: ch.ID, Platform: ch.Platform, Status: status,
			Sender: parley.Sender{Kind: parley.IdentityMessenger, ID: "c"}}
	}

	t.Run("targets move status forward only", func(t *testing.T) {
		st, ch, sent := setup(t)
		read := receipt(ch, parley.MessageRead)
		read.Targets = []string{"out-0"}
		late := receipt(ch, parley.MessageDelivered)
		late.Targets = []string{"out-0"}
		res := MustIngest(t, st, read, late)
		if len(res[0].Updated) != 1 || res[0].Updated[0].Status != parley.MessageRead || len(res[1].Updated) != 0 {
			t.Fatalf("results: %+v / %+v", res[0].Updated, res[1].Updated)
		}
		if m, _ := st.FindMessageByID(ctx, sent[0].ID); m.Status != parley.MessageRead {
			t.Fatalf("status = %s", m.Status)
		}
	})

	t.Run("in one batch failed wins whatever the order, with the first failure's reason", func(t *testing.T) {
		st, ch, sent := setup(t)
		read := receipt(ch, parley.MessageRead)
		read.Targets = []string{"out-0"}
		failed := receipt(ch, parley.MessageFailed)
		failed.Targets, failed.FailureCode, failed.FailureReason = []string{"out-0"}, "131026", "Undeliverable"
		again := receipt(ch, parley.MessageFailed)
		again.Targets, again.FailureCode, again.FailureReason = []string{"out-0"}, "131047", "Re-engagement message"
		delivered := receipt(ch, parley.MessageDelivered)
		delivered.Targets = []string{"out-0", "out-1"}
		res := MustIngest(t, st, read, failed, again, delivered)
		m, _ := st.FindMessageByID(ctx, sent[0].ID)
		if m.Status != parley.MessageFailed || m.FailureCode != "131026" {
			t.Fatalf("message = %s %s, want failed 131026", m.Status, m.FailureCode)
		}
		if len(res[1].Updated) != 1 || res[1].Updated[0].ID != sent[0].ID || res[1].Updated[0].Status != parley.MessageFailed {
			t.Fatalf("the deciding receipt reported %+v", res[1].Updated)
		}
		if len(res[3].Updated) != 1 || res[3].Updated[0].ID != sent[1].ID || res[3].Updated[0].Status != parley.MessageDelivered {
			t.Fatalf("the delivery reported %+v", res[3].Updated)
		}
		if other, _ := st.FindMessageByID(ctx, sent[2].ID); other.Status != parley.MessageSent {
			t.Fatalf("an unnamed message moved to %s", other.Status)
		}
	})

	t.Run("watermark covers messages sent up to it", func(t *testing.T) {
		st, ch, sent := setup(t)
		ev := receipt(ch, parley.MessageDelivered)
		ev.Watermark = ptr(base.Add(time.Minute))
		res := MustIngest(t, st, ev)[0]
		if len(res.Updated) != 2 {
			t.Fatalf("updated %d messages, want 2", len(res.Updated))
		}
		if m, _ := st.FindMessageByID(ctx, sent[2].ID); m.Status != parley.MessageSent {
			t.Fatalf("message after the watermark moved to %s", m.Status)
		}
	})

	t.Run("failed records the platform's reason", func(t *testing.T) {
		st, ch, sent := setup(t)
		ev := receipt(ch, parley.MessageFailed)
		ev.Targets, ev.FailureCode, ev.FailureReason = []string{"out-1"}, "131047", "Re-engagement message"
		MustIngest(t, st, ev)
		m, _ := st.FindMessageByID(ctx, sent[1].ID)
		if m.Status != parley.MessageFailed || m.FailureCode != "131047" || m.FailureReason != "Re-engagement message" {
			t.Fatalf("message = %+v", m)
		}
	})
}
