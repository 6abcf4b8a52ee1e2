package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// activities returns the activity lines of a ticket's thread.
func activities(tb testing.TB, st parley.Store, convID int64) []*parley.Message {
	tb.Helper()
	var out []*parley.Message
	for _, m := range mustMessages(tb, st, convID) {
		if m.Kind == parley.KindActivity {
			if m.Direction != parley.DirectionInternal {
				tb.Fatalf("activity line with direction %s", m.Direction)
			}
			out = append(out, m)
		}
	}
	return out
}

func testConversations(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("every change bumps the version and writes an activity line", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformEmail)
		team := MustCreateTeam(t, st)
		agent := MustCreateAgent(t, st, parley.RoleAgent, team.ID)
		conv := MustConversation(t, st, ch, "ana@example.com", "refund please")
		got, err := st.UpdateConversation(ctx, conv.ID, parley.ConversationUpdate{
			Version: conv.Version, Status: ptr(parley.StatusPending), Priority: ptr(parley.PriorityUrgent),
			AssigneeID: &agent.ID, TeamID: &team.ID, AddTags: []string{"refund", "billing"}, ActorAgentID: &agent.ID,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != conv.Version+1 || got.Status != parley.StatusPending || got.Priority != parley.PriorityUrgent ||
			*got.AssigneeID != agent.ID || *got.TeamID != team.ID || len(got.Tags) != 3 {
			t.Fatalf("updated = %+v", got)
		}
		acts := activities(t, st, conv.ID)
		if len(acts) != 5 {
			t.Fatalf("%d activity lines, want 5 (status, priority, assignee, team, tags)", len(acts))
		}
		if acts[0].AuthorAgentID == nil || *acts[0].AuthorAgentID != agent.ID {
			t.Fatalf("activity author = %v", acts[0].AuthorAgentID)
		}
		until := base.Add(24 * time.Hour)
		got, err = st.UpdateConversation(ctx, conv.ID, parley.ConversationUpdate{Version: got.Version, SnoozedUntil: &until,
			RemoveTags: []string{"billing"}, ClearAssignee: true})
		if err != nil || got.Status != parley.StatusSnoozed || !got.SnoozedUntil.Equal(until) || got.AssigneeID != nil || len(got.Tags) != 2 {
			t.Fatalf("snoozed = %+v, %v", got, err)
		}
		if n := len(activities(t, st, conv.ID)); n != 8 {
			t.Fatalf("%d activity lines, want 8", n)
		}
		same, err := st.UpdateConversation(ctx, conv.ID, parley.ConversationUpdate{Version: got.Version, Priority: ptr(parley.PriorityUrgent)})
		if err != nil || same.Version != got.Version {
			t.Fatalf("no-op update bumped the version: %+v, %v", same, err)
		}
	})

	t.Run("stale version is a conflict carrying the current ticket", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformEmail)
		conv := MustConversation(t, st, ch, "bo@example.com", "hi")
		fresh, err := st.UpdateConversation(ctx, conv.ID, parley.ConversationUpdate{Version: conv.Version, Priority: ptr(parley.PriorityHigh)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.UpdateConversation(ctx, conv.ID, parley.ConversationUpdate{Version: conv.Version, Priority: ptr(parley.PriorityLow)})
		wantCode(t, err, parley.ECONFLICT)
		current, ok := parley.ErrorDetails(err).(*parley.Conversation)
		if !ok || current.Version != fresh.Version || current.Priority != parley.PriorityHigh {
			t.Fatalf("details = %#v", parley.ErrorDetails(err))
		}
		_, err = st.UpdateConversation(ctx, conv.ID+100, parley.ConversationUpdate{Version: 1})
		wantCode(t, err, parley.ENOTFOUND)
		_, err = st.UpdateConversation(ctx, conv.ID, parley.ConversationUpdate{Version: fresh.Version, Status: ptr(parley.StatusSnoozed)})
		wantCode(t, err, parley.EINVALID)
	})

	t.Run("merge moves messages and closes the source", func(t *testing.T) {
		st := open(t)
		mail := MustCreateChannel(t, st, parley.PlatformEmail)
		target := MustConversation(t, st, mail, "cy@example.com", "first")
		source := MustIngest(t, st, MessageEvent(mail, "cy@example.com", "other-thread", "second", base.Add(time.Hour)))[0].Conversation
		src2 := MustIngest(t, st, &parley.InboundEvent{Kind: parley.InboundMessage, ChannelID: mail.ID, Platform: mail.Platform,
			ExternalID: "t2", ThreadKey: "thread-2", Sender: parley.Sender{Kind: parley.IdentityEmail, ID: "cy@example.com"},
			Direction: parley.DirectionIn, Timestamp: base.Add(2 * time.Hour), Text: "separate thread"})[0].Conversation
		if source.ID != target.ID || src2.ID == target.ID {
			t.Fatalf("setup: %d %d %d", target.ID, source.ID, src2.ID)
		}
		merged, err := st.MergeConversations(ctx, target.ID, src2.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if merged.UnreadCount != 3 || merged.LastPreview != "separate thread" || merged.Version <= target.Version {
			t.Fatalf("merged = %+v", merged)
		}
		closed := mustFindConversation(t, st, src2.ID)
		if closed.Status != parley.StatusClosed {
			t.Fatalf("source status = %s", closed.Status)
		}
		var texts []string
		for _, m := range mustMessages(t, st, target.ID) {
			if m.Kind != parley.KindActivity {
				texts = append(texts, m.Body)
			}
		}
		if len(texts) != 3 || len(activities(t, st, target.ID)) != 1 || len(activities(t, st, src2.ID)) != 1 {
			t.Fatalf("target thread %v", texts)
		}
		// The UI words activity lines in the agent's language from their metadata, numbers included.
		if got := activities(t, st, target.ID)[0].Metadata; got["action"] != "merge" || got["source_number"] != fmt.Sprint(src2.Number) {
			t.Fatalf("merge activity metadata = %v", got)
		}
		if got := activities(t, st, src2.ID)[0].Metadata; got["action"] != "merged_into" || got["target_number"] != fmt.Sprint(target.Number) {
			t.Fatalf("merged-into activity metadata = %v", got)
		}
		_, err = st.MergeConversations(ctx, target.ID, target.ID, nil)
		wantCode(t, err, parley.EINVALID)
	})

	t.Run("snoozed tickets wake up when their time comes", func(t *testing.T) {
		st := open(t)
		ch := MustCreateChannel(t, st, parley.PlatformWidget)
		soon, later := MustConversation(t, st, ch, "v1", "a"), MustConversation(t, st, ch, "v2", "b")
		for i, c := range []*parley.Conversation{soon, later} {
			until := base.Add(time.Duration(i+1) * time.Hour)
			if _, err := st.UpdateConversation(ctx, c.ID, parley.ConversationUpdate{Version: c.Version, SnoozedUntil: &until}); err != nil {
				t.Fatal(err)
			}
		}
		woken, err := st.WakeSnoozed(ctx, base.Add(90*time.Minute))
		if err != nil || len(woken) != 1 || woken[0].ID != soon.ID || woken[0].Status != parley.StatusOpen || woken[0].SnoozedUntil != nil {
			t.Fatalf("woken = %+v, %v", woken, err)
		}
		if c := mustFindConversation(t, st, later.ID); c.Status != parley.StatusSnoozed {
			t.Fatalf("later ticket woke: %s", c.Status)
		}
		if got := activities(t, st, later.ID)[0].Metadata; got["to"] != "snoozed" || got["until"] != base.Add(2*time.Hour).UTC().Format(time.RFC3339) {
			t.Fatalf("snooze activity metadata = %v", got)
		}
	})
}
