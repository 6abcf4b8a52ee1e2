package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

func testMessages(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := func(t *testing.T) (parley.Store, *parley.Conversation, *parley.Agent) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformTelegram)
		return st, MustConversation(t, st, ch, "tg-1", "where is my parcel?"), MustCreateAgent(t, st, parley.RoleAgent)
	}

	t.Run("a reply is queued in the outbox and answers the customer", func(t *testing.T) {
		st, conv, agent := setup(t)
		m := &parley.Message{ConversationID: conv.ID, Body: "It ships today.", AuthorAgentID: &agent.ID}
		if err := st.CreateMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		if m.ID == 0 || m.Status != parley.MessageQueued || m.Direction != parley.DirectionOut || m.ChannelID != conv.ChannelID || m.NextAttemptAt == nil {
			t.Fatalf("message = %+v", m)
		}
		got := mustFindConversation(t, st, conv.ID)
		if got.WaitingSince != nil || got.LastPreview != "It ships today." || got.Version <= conv.Version {
			t.Fatalf("conversation = %+v", got)
		}
		if !got.LastInboundAt.Equal(*conv.LastInboundAt) {
			t.Fatal("a reply moved the reply window")
		}
		note := &parley.Message{ConversationID: conv.ID, Kind: parley.KindNote, Body: "customer is VIP"}
		if err := st.CreateMessage(ctx, note); err != nil || note.Direction != parley.DirectionInternal || note.Status == parley.MessageQueued {
			t.Fatalf("note = %+v, %v", note, err)
		}
		wantCode(t, st.CreateMessage(ctx, &parley.Message{ConversationID: conv.ID + 100, Body: "x"}), parley.ENOTFOUND)
	})

	t.Run("only one sender claims a message", func(t *testing.T) {
		st, conv, _ := setup(t)
		m := &parley.Message{ConversationID: conv.ID, Body: "hi"}
		if err := st.CreateMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		claims := make([]bool, 4)
		for i := range claims {
			wg.Go(func() {
				ok, err := st.ClaimMessage(ctx, m.ID)
				if err != nil {
					t.Error(err)
				}
				claims[i] = ok
			})
		}
		wg.Wait()
		won := 0
		for _, ok := range claims {
			if ok {
				won++
			}
		}
		if won != 1 {
			t.Fatalf("%d claims won, want 1", won)
		}
		if again, _ := st.ClaimMessage(ctx, m.ID); again {
			t.Fatal("claimed a message already sending")
		}
		got, _ := st.FindMessageByID(ctx, m.ID)
		if got.Status != parley.MessageSending || got.Attempts != 1 {
			t.Fatalf("claimed message = %+v", got)
		}
	})

	t.Run("status moves forward or to failed, never back", func(t *testing.T) {
		st, conv, _ := setup(t)
		m := &parley.Message{ConversationID: conv.ID, Body: "hi"}
		st.CreateMessage(ctx, m)
		steps := []struct {
			status parley.MessageStatus
			want   parley.MessageStatus
		}{
			{parley.MessageSent, parley.MessageSent}, {parley.MessageRead, parley.MessageRead},
			{parley.MessageDelivered, parley.MessageRead}, {parley.MessageSent, parley.MessageRead},
		}
		for _, s := range steps {
			got, err := st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: m.ID, Status: s.status, ExternalID: "tg-out-1"})
			if err != nil || got.Status != s.want {
				t.Fatalf("after %s: %v, %v; want %s", s.status, got.Status, err, s.want)
			}
		}
		got, _ := st.FindMessageByID(ctx, m.ID)
		if got.ExternalID != "tg-out-1" || got.SentAt == nil {
			t.Fatalf("message = %+v", got)
		}
		other := &parley.Message{ConversationID: conv.ID, Body: "again"}
		st.CreateMessage(ctx, other)
		_, err := st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: other.ID, Status: parley.MessageSent, ExternalID: "tg-out-1"})
		wantCode(t, err, parley.ECONFLICT)
		failed, err := st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: other.ID, Status: parley.MessageFailed, FailureCode: "403", FailureReason: "bot was blocked"})
		if err != nil || failed.Status != parley.MessageFailed || failed.FailureReason != "bot was blocked" {
			t.Fatalf("failed = %+v, %v", failed, err)
		}
		_, err = st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: other.ID, Status: "lost"})
		wantCode(t, err, parley.EINVALID)
	})

	t.Run("requeued and stuck messages are found for republishing", func(t *testing.T) {
		st, conv, _ := setup(t)
		now := time.Now().UTC()
		due, later, stuck := &parley.Message{ConversationID: conv.ID, Body: "due"}, &parley.Message{ConversationID: conv.ID, Body: "later"},
			&parley.Message{ConversationID: conv.ID, Body: "stuck"}
		for _, m := range []*parley.Message{due, later, stuck} {
			if err := st.CreateMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
			if ok, _ := st.ClaimMessage(ctx, m.ID); !ok {
				t.Fatal("claim failed")
			}
		}
		if err := st.RequeueMessage(ctx, due.ID, now.Add(-time.Second), "503 from platform"); err != nil {
			t.Fatal(err)
		}
		if err := st.RequeueMessage(ctx, later.ID, now.Add(time.Hour), "rate limited"); err != nil {
			t.Fatal(err)
		}
		stale, err := st.FindStaleOutbound(ctx, now, now.Add(time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, m := range stale {
			ids = append(ids, m.ID)
		}
		if !sameIDs(ids, []int64{due.ID, stuck.ID}) {
			t.Fatalf("stale = %v, want due %d and stuck %d", ids, due.ID, stuck.ID)
		}
		got, _ := st.FindMessageByID(ctx, due.ID)
		if got.Status != parley.MessageQueued || got.FailureReason != "503 from platform" {
			t.Fatalf("requeued = %+v", got)
		}
		st.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: stuck.ID, Status: parley.MessageSent})
		wantCode(t, st.RequeueMessage(ctx, stuck.ID, now, "x"), parley.ECONFLICT)
	})

	t.Run("threads page oldest first", func(t *testing.T) {
		st, conv, _ := setup(t)
		for i := range 4 {
			st.CreateMessage(ctx, &parley.Message{ConversationID: conv.ID, Kind: parley.KindNote, Body: string(rune('a' + i))})
		}
		var bodies []string
		cursor := ""
		for {
			page, next, err := st.FindMessages(ctx, parley.MessageFilter{ConversationID: conv.ID, Page: parley.Page{Limit: 2, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page {
				bodies = append(bodies, m.Body)
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		if len(bodies) != 5 || bodies[0] != "where is my parcel?" || bodies[4] != "d" {
			t.Fatalf("thread = %v", bodies)
		}
	})
}
