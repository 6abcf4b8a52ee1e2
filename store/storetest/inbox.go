package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// inbox is a store with tickets spread over views, for listing tests.
type inbox struct {
	st                  parley.Store
	me, other           *parley.Agent
	myTeam, otherTeam   *parley.Team
	wa, ms              *parley.Channel
	mine, teams, free   []int64 // ticket ids by who has them
	urgent, waitingLong int64
}

func newInbox(t *testing.T, open Opener) *inbox {
	ctx := context.Background()
	in := &inbox{st: open(t)}
	in.myTeam, in.otherTeam = MustCreateTeam(t, in.st), MustCreateTeam(t, in.st)
	in.me = MustCreateAgent(t, in.st, parley.RoleAgent, in.myTeam.ID)
	in.other = MustCreateAgent(t, in.st, parley.RoleAgent, in.otherTeam.ID)
	in.wa, in.ms = MustCreateChannel(t, in.st, parley.PlatformWhatsApp), MustCreateChannel(t, in.st, parley.PlatformMessenger)
	for i := range 12 {
		ch := in.wa
		if i%2 == 1 {
			ch = in.ms
		}
		at := base.Add(time.Duration(i) * time.Minute)
		res := MustIngest(t, in.st, MessageEvent(ch, fmt.Sprintf("cust-%d", i), fmt.Sprintf("inbox-%d", i), fmt.Sprintf("message %d", i), at))[0]
		conv := res.Conversation
		upd := parley.ConversationUpdate{Version: conv.Version}
		switch i % 3 {
		case 0:
			upd.AssigneeID = &in.me.ID
			in.mine = append(in.mine, conv.ID)
		case 1:
			upd.TeamID = &in.myTeam.ID
			in.teams = append(in.teams, conv.ID)
		default:
			in.free = append(in.free, conv.ID)
		}
		if i == 7 {
			upd.Priority, upd.AddTags = ptr(parley.PriorityUrgent), []string{"vip"}
			in.urgent = conv.ID
		}
		if i == 11 {
			upd.Status = ptr(parley.StatusResolved)
		}
		if i == 0 {
			in.waitingLong = conv.ID
		}
		if _, err := in.st.UpdateConversation(ctx, conv.ID, upd); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

func (in *inbox) list(t *testing.T, f parley.ConversationFilter) []int64 {
	t.Helper()
	var ids []int64
	for range 20 {
		page, next, err := in.st.FindConversations(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			if c.Contact == nil || len(c.Tags) == 0 {
				t.Fatalf("listing did not fill contact and tags: %+v", c)
			}
			ids = append(ids, c.ID)
		}
		if f.Cursor = next; next == "" {
			return ids
		}
	}
	t.Fatal("pagination does not end")
	return nil
}

func sameIDs(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func testInbox(t *testing.T, open Opener) {
	in := newInbox(t, open)
	ctx := context.Background()
	active := []parley.Status{parley.StatusOpen, parley.StatusPending}
	page := parley.Page{Limit: 5}

	t.Run("views select by assignee and team", func(t *testing.T) {
		cases := []struct {
			view parley.ConversationView
			want int
		}{{parley.ViewMine, 4}, {parley.ViewMyTeams, 4}, {parley.ViewUnassigned, 8}, {parley.ViewAll, 12}}
		for _, c := range cases {
			ids := in.list(t, parley.ConversationFilter{View: c.view, AgentID: in.me.ID, Page: page})
			if len(ids) != c.want {
				t.Errorf("view %s: %d tickets, want %d", c.view, len(ids), c.want)
			}
		}
		if ids := in.list(t, parley.ConversationFilter{View: parley.ViewMine, AgentID: in.me.ID, Page: page}); !sameIDs(ids, in.mine) {
			t.Errorf("mine = %v, want %v", ids, in.mine)
		}
		if ids := in.list(t, parley.ConversationFilter{View: parley.ViewMyTeams, AgentID: in.other.ID}); len(ids) != 0 {
			t.Errorf("other agent's teams view = %v", ids)
		}
	})

	t.Run("filters narrow the listing", func(t *testing.T) {
		wa := parley.PlatformWhatsApp
		cases := []struct {
			name string
			f    parley.ConversationFilter
			want int
		}{
			{"status", parley.ConversationFilter{Statuses: active}, 11},
			{"resolved", parley.ConversationFilter{Statuses: []parley.Status{parley.StatusResolved}}, 1},
			{"platform", parley.ConversationFilter{Platform: &wa}, 6},
			{"channel", parley.ConversationFilter{ChannelID: &in.ms.ID}, 6},
			{"tag", parley.ConversationFilter{Tag: ptr("vip")}, 1},
			{"channel tag", parley.ConversationFilter{Tag: ptr("channel:messenger")}, 6},
			{"priority", parley.ConversationFilter{Priority: ptr(parley.PriorityUrgent)}, 1},
			{"assignee", parley.ConversationFilter{AssigneeID: &in.me.ID}, 4},
			{"team", parley.ConversationFilter{TeamID: &in.myTeam.ID}, 4},
		}
		for _, c := range cases {
			c.f.Page = page
			if ids := in.list(t, c.f); len(ids) != c.want {
				t.Errorf("%s: %d tickets, want %d", c.name, len(ids), c.want)
			}
		}
	})

	t.Run("sorts page through every ticket once, in order", func(t *testing.T) {
		for _, sort := range []parley.ConversationSort{parley.SortNewest, parley.SortOldestWaiting, parley.SortPriority} {
			ids := in.list(t, parley.ConversationFilter{Sort: sort, Page: parley.Page{Limit: 2}})
			whole := in.list(t, parley.ConversationFilter{Sort: sort, Page: parley.Page{Limit: 100}})
			if len(ids) != 12 || !slices.Equal(ids, whole) {
				t.Fatalf("%s: paged %v, whole %v", sort, ids, whole)
			}
			switch sort {
			case parley.SortNewest:
				if ids[len(ids)-1] != in.waitingLong {
					t.Errorf("newest: oldest ticket %d is not last (%v)", in.waitingLong, ids)
				}
			case parley.SortOldestWaiting:
				if ids[0] != in.waitingLong {
					t.Errorf("oldest waiting: %d is not first (%v)", in.waitingLong, ids)
				}
			case parley.SortPriority:
				if ids[0] != in.urgent || ids[1] != in.waitingLong {
					t.Errorf("priority: %v", ids)
				}
			}
		}
	})

	t.Run("tickets nobody waits on sort last", func(t *testing.T) {
		conv := mustFindConversation(t, in.st, in.free[0])
		reply := &parley.Message{ConversationID: conv.ID, Body: "on it", AuthorAgentID: &in.me.ID}
		if err := in.st.CreateMessage(ctx, reply); err != nil {
			t.Fatal(err)
		}
		ids := in.list(t, parley.ConversationFilter{Sort: parley.SortOldestWaiting, Page: parley.Page{Limit: 3}})
		if len(ids) != 12 || ids[len(ids)-1] != conv.ID {
			t.Fatalf("answered ticket %d not last: %v", conv.ID, ids)
		}
	})

	t.Run("counts match the views", func(t *testing.T) {
		counts, err := in.st.CountConversations(ctx, in.me.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := parley.ConversationCounts{Mine: 4, MyTeams: 4, Unassigned: 7, All: 11}
		if counts != want {
			t.Fatalf("counts = %+v, want %+v", counts, want)
		}
		all, _ := in.st.CountConversations(ctx, in.me.ID, []parley.Status{parley.StatusResolved})
		if all.All != 1 {
			t.Fatalf("resolved count = %+v", all)
		}
	})
}
