package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
)

type convPage = struct {
	Items      []*parley.Conversation `json:"items"`
	NextCursor string                 `json:"next_cursor"`
}

// teamEnv has a team, an admin, a supervisor, an agent in the team and an
// agent in no team, each with an API token.
type teamEnv struct {
	*Env
	Team                           *parley.Team
	Admin, Super, Member, Outsider string // tokens
	MemberAgent                    *parley.Agent
}

func MustTeamEnv(tb testing.TB, change ...func(*httpapi.Config)) *teamEnv {
	tb.Helper()
	e := MustEnv(tb, change...)
	te := &teamEnv{Env: e, Team: &parley.Team{Name: "Billing"}}
	if err := e.Store.CreateTeam(context.Background(), te.Team); err != nil {
		tb.Fatal(err)
	}
	te.Admin = e.MustToken(tb, e.MustAgent(tb, "admin@example.com", parley.RoleAdmin))
	te.Super = e.MustToken(tb, e.MustAgent(tb, "super@example.com", parley.RoleSupervisor))
	te.MemberAgent = e.MustAgent(tb, "member@example.com", parley.RoleAgent, te.Team.ID)
	te.Member = e.MustToken(tb, te.MemberAgent)
	te.Outsider = e.MustToken(tb, e.MustAgent(tb, "outsider@example.com", parley.RoleAgent))
	return te
}

// MustPatch updates a ticket through the API as the admin.
func (te *teamEnv) MustPatch(tb testing.TB, c *parley.Conversation, body map[string]any) *parley.Conversation {
	tb.Helper()
	cur, err := te.Store.FindConversationByID(context.Background(), c.ID)
	if err != nil {
		tb.Fatal(err)
	}
	body["version"] = cur.Version
	rec := Do(tb, te.Srv, Req{Method: "PATCH", Path: "/api/v1/conversations/" + itoa(c.ID), Token: te.Admin, Body: body})
	if rec.Code != http.StatusOK {
		tb.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	return MustDecode[*parley.Conversation](tb, rec)
}

func ids(cs []*parley.Conversation) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestConversationVisibility(t *testing.T) {
	te := MustTeamEnv(t)
	teamTicket := te.MustPatch(t, te.MustConversation(t, "cust-1"), map[string]any{"team_id": te.Team.ID})
	open := te.MustConversation(t, "cust-2") // no team: everyone sees it
	path := "/api/v1/conversations/" + itoa(teamTicket.ID)

	for _, tc := range []struct {
		who   string
		token string
		sees  bool
	}{
		{"admin", te.Admin, true}, {"supervisor", te.Super, true},
		{"team member", te.Member, true}, {"agent outside the team", te.Outsider, false},
	} {
		t.Run(tc.who, func(t *testing.T) {
			want := http.StatusNotFound
			if tc.sees {
				want = http.StatusOK
			}
			for _, r := range []Req{
				{Method: "GET", Path: path},
				{Method: "GET", Path: path + "/messages"},
				{Method: "POST", Path: path + "/messages", Body: map[string]any{"body": "hi", "kind": "note"}},
			} {
				r.Token = tc.token
				if rec := Do(t, te.Srv, r); rec.Code != want && !(want == 200 && rec.Code == 201) {
					t.Errorf("%s %s: %d, want %d (%s)", r.Method, r.Path, rec.Code, want, rec.Body)
				}
			}
			rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/conversations", Token: tc.token})
			got := ids(MustDecode[convPage](t, rec).Items)
			if slices.Contains(got, teamTicket.ID) != tc.sees || !slices.Contains(got, open.ID) {
				t.Errorf("listing %v (team ticket %d, open %d)", got, teamTicket.ID, open.ID)
			}
		})
	}
	t.Run("hidden tickets are not found by patch either", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "PATCH", Path: path, Token: te.Outsider, Body: map[string]any{"version": teamTicket.Version, "priority": 3}})
		if rec.Code != http.StatusNotFound {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("listings carry the contact", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/conversations", Token: te.Admin})
		for _, c := range MustDecode[convPage](t, rec).Items {
			if c.Contact == nil || c.Contact.ID != c.ContactID {
				t.Errorf("conversation %d without its contact", c.ID)
			}
		}
	})
}

func TestConversationUpdate(t *testing.T) {
	te := MustTeamEnv(t)
	c := te.MustConversation(t, "cust-1")
	path := "/api/v1/conversations/" + itoa(c.ID)
	te.Events.Take()

	t.Run("assigning publishes updated and assigned", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "PATCH", Path: path, Token: te.Member,
			Body: map[string]any{"version": c.Version, "assignee_id": te.MemberAgent.ID}})
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		got := MustDecode[*parley.Conversation](t, rec)
		if got.AssigneeID == nil || *got.AssigneeID != te.MemberAgent.ID || got.Version <= c.Version {
			t.Fatalf("%+v", got)
		}
		if ev := te.Events.Take(); !slices.Equal(ev, []parley.EventType{parley.EventConversationUpdated, parley.EventConversationAssigned}) {
			t.Fatalf("events %v", ev)
		}
	})
	t.Run("a stale version is 409 with the current ticket", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "PATCH", Path: path, Token: te.Member, Body: map[string]any{"version": c.Version, "priority": 3}})
		if rec.Code != http.StatusConflict {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		body := MustDecode[struct {
			Error struct {
				Code    string               `json:"code"`
				Details *parley.Conversation `json:"details"`
			} `json:"error"`
		}](t, rec)
		cur, _ := te.Store.FindConversationByID(context.Background(), c.ID)
		if body.Error.Code != "conflict" || body.Error.Details == nil || body.Error.Details.Version != cur.Version ||
			body.Error.Details.AssigneeID == nil {
			t.Fatalf("conflict body %s", rec.Body)
		}
		if ev := te.Events.Take(); len(ev) != 0 {
			t.Fatalf("events on conflict: %v", ev)
		}
	})
	t.Run("changing priority publishes updated only", func(t *testing.T) {
		cur, _ := te.Store.FindConversationByID(context.Background(), c.ID)
		rec := Do(t, te.Srv, Req{Method: "PATCH", Path: path, Token: te.Member, Body: map[string]any{"version": cur.Version, "priority": 2}})
		if rec.Code != http.StatusOK || MustDecode[*parley.Conversation](t, rec).Priority != 2 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if ev := te.Events.Take(); !slices.Equal(ev, []parley.EventType{parley.EventConversationUpdated}) {
			t.Fatalf("events %v", ev)
		}
	})
	for name, body := range map[string]map[string]any{
		"missing version":       {"priority": 1},
		"unknown status":        {"version": 1, "status": "done"},
		"priority out of range": {"version": 1, "priority": 7},
		"unknown assignee":      {"version": 1, "assignee_id": 99999},
		"unknown team":          {"version": 1, "team_id": 99999},
		"hand-made channel tag": {"version": 1, "add_tags": []string{"channel:sms"}},
		"unknown field":         {"version": 1, "colour": "red"},
		"snooze without time":   {"version": 1, "status": "snoozed"},
	} {
		t.Run(name+" is 400", func(t *testing.T) {
			rec := Do(t, te.Srv, Req{Method: "PATCH", Path: path, Token: te.Member, Body: body})
			if rec.Code != http.StatusBadRequest || ErrorCodeOf(t, rec) != parley.EINVALID {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestConversationListing(t *testing.T) {
	te := MustTeamEnv(t)
	var all []*parley.Conversation
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		all = append(all, te.MustConversation(t, "cust-"+s))
	}
	te.MustPatch(t, all[0], map[string]any{"status": "resolved"})
	te.MustPatch(t, all[1], map[string]any{"team_id": te.Team.ID, "priority": 3})

	t.Run("cursor pagination visits every ticket once", func(t *testing.T) {
		var seen []int64
		cursor := ""
		for pages := 0; ; pages++ {
			path := "/api/v1/conversations?limit=2"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			rec := Do(t, te.Srv, Req{Method: "GET", Path: path, Token: te.Admin})
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			p := MustDecode[convPage](t, rec)
			if len(p.Items) > 2 || pages > 5 {
				t.Fatalf("page %d has %d items", pages, len(p.Items))
			}
			seen = append(seen, ids(p.Items)...)
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		slices.Sort(seen)
		want := ids(all)
		slices.Sort(want)
		if !slices.Equal(seen, want) {
			t.Fatalf("saw %v, want %v", seen, want)
		}
	})
	t.Run("an agent's page is filled with tickets they may see", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/conversations?limit=4", Token: te.Outsider})
		p := MustDecode[convPage](t, rec)
		if len(p.Items) != 4 || slices.Contains(ids(p.Items), all[1].ID) || p.NextCursor != "" {
			t.Fatalf("items %v cursor %q", ids(p.Items), p.NextCursor)
		}
	})
	for name, tc := range map[string]struct {
		query string
		want  []int64
	}{
		"status":              {"status=resolved", []int64{all[0].ID}},
		"repeated status":     {"status=resolved&status=open", ids(all)},
		"team":                {"team_id=" + itoa(te.Team.ID), []int64{all[1].ID}},
		"priority":            {"priority=3", []int64{all[1].ID}},
		"platform":            {"platform=api&status=resolved", []int64{all[0].ID}},
		"contact":             {"contact_id=" + itoa(all[2].ContactID), []int64{all[2].ID}},
		"unassigned view":     {"view=unassigned&status=resolved", []int64{all[0].ID}},
		"oldest waiting sort": {"sort=oldest_waiting&channel_id=" + itoa(te.Channel.ID) + "&status=resolved", []int64{all[0].ID}},
	} {
		t.Run("filter by "+name, func(t *testing.T) {
			rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/conversations?" + tc.query, Token: te.Admin})
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			got := ids(MustDecode[convPage](t, rec).Items)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
	for _, q := range []string{"status=done", "limit=201", "limit=0", "limit=x", "view=everything", "sort=random",
		"priority=9", "channel_id=abc", "team_id=-1", "platform=myspace", "tag=", "colour=red", "view=all&view=mine"} {
		t.Run("bad query "+q+" is 400", func(t *testing.T) {
			rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/conversations?" + q, Token: te.Admin})
			if rec.Code != http.StatusBadRequest || ErrorCodeOf(t, rec) != parley.EINVALID {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	t.Run("counts default to open and pending", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/conversations/counts", Token: te.Admin})
		if got := MustDecode[parley.ConversationCounts](t, rec); got.All != 4 || got.Unassigned != 4 {
			t.Fatalf("%d %+v", rec.Code, got)
		}
	})
}

func TestBulkUpdate(t *testing.T) {
	te := MustTeamEnv(t)
	a, b := te.MustConversation(t, "cust-a"), te.MustConversation(t, "cust-b")
	hidden := te.MustPatch(t, te.MustConversation(t, "cust-h"), map[string]any{"team_id": te.Team.ID})
	te.Events.Take()
	rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/conversations/bulk", Token: te.Outsider,
		Body: map[string]any{"ids": []int64{a.ID, b.ID, 999999, hidden.ID}, "status": "pending", "add_tags": []string{"refund"}}})
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	res := MustDecode[struct {
		Updated []*parley.Conversation `json:"updated"`
		Failed  []struct {
			ID    int64                 `json:"id"`
			Error struct{ Code string } `json:"error"`
		} `json:"failed"`
	}](t, rec)
	t.Run("visible tickets are updated", func(t *testing.T) {
		if !slices.Equal(ids(res.Updated), []int64{a.ID, b.ID}) {
			t.Fatalf("updated %v", ids(res.Updated))
		}
		for _, c := range res.Updated {
			if c.Status != parley.StatusPending || !slices.Contains(c.Tags, "refund") {
				t.Errorf("%d: %s %v", c.ID, c.Status, c.Tags)
			}
		}
	})
	t.Run("missing and hidden tickets fail alike", func(t *testing.T) {
		if len(res.Failed) != 2 || res.Failed[0].ID != 999999 || res.Failed[1].ID != hidden.ID ||
			res.Failed[0].Error.Code != "not_found" || res.Failed[1].Error.Code != "not_found" {
			t.Fatalf("failed %+v", res.Failed)
		}
		if got, _ := te.Store.FindConversationByID(context.Background(), hidden.ID); got.Status == parley.StatusPending {
			t.Fatal("hidden ticket was changed")
		}
	})
	t.Run("each update is announced", func(t *testing.T) {
		if ev := te.Events.Take(); len(ev) != 2 {
			t.Fatalf("events %v", ev)
		}
	})
	t.Run("nothing to change is 400", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/conversations/bulk", Token: te.Admin, Body: map[string]any{"ids": []int64{a.ID}}})
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%d", rec.Code)
		}
	})
}
