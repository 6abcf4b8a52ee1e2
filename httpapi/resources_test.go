package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
)

func TestMerge(t *testing.T) {
	te := MustTeamEnv(t)
	target, source := te.MustConversation(t, "cust-1"), te.MustConversation(t, "cust-2")
	hidden := te.MustPatch(t, te.MustConversation(t, "cust-3"), map[string]any{"team_id": te.Team.ID})
	path := "/api/v1/conversations/" + itoa(target.ID) + "/merge"
	t.Run("a hidden source is not found", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Outsider, Body: map[string]any{"source_id": hidden.ID}})
		if rec.Code != http.StatusNotFound {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("merging into itself is 400", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Outsider, Body: map[string]any{"source_id": target.ID}})
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("the source's messages move and the source closes", func(t *testing.T) {
		te.Events.Take()
		rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Outsider, Body: map[string]any{"source_id": source.ID}})
		if rec.Code != http.StatusOK || MustDecode[*parley.Conversation](t, rec).ID != target.ID {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if s, _ := te.Store.FindConversationByID(context.Background(), source.ID); s.Status != parley.StatusClosed {
			t.Fatalf("source is %s", s.Status)
		}
		if ev := te.Events.Take(); len(ev) < 2 {
			t.Fatalf("events %v", ev)
		}
	})
}

func TestContacts(t *testing.T) {
	te := MustTeamEnv(t)
	rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/contacts", Token: te.Member,
		Body: map[string]any{"name": "王小明", "email": "xm@example.com", "tier": "vip"}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	c := MustDecode[*parley.Contact](t, rec)
	t.Run("found by query and tier", func(t *testing.T) {
		for _, q := range []string{"q=小明", "tier=vip", "q=xm%40example"} {
			rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts?" + q, Token: te.Member})
			p := MustDecode[struct{ Items []*parley.Contact }](t, rec)
			if rec.Code != 200 || len(p.Items) != 1 || p.Items[0].ID != c.ID {
				t.Errorf("%s: %d %s", q, rec.Code, rec.Body)
			}
		}
	})
	t.Run("patch changes and announces", func(t *testing.T) {
		te.Events.Take()
		rec := Do(t, te.Srv, Req{Method: "PATCH", Path: "/api/v1/contacts/" + itoa(c.ID), Token: te.Member, Body: map[string]any{"company": "ACME"}})
		if rec.Code != http.StatusOK || MustDecode[*parley.Contact](t, rec).Company != "ACME" {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if ev := te.Events.Take(); !slices.Equal(ev, []parley.EventType{parley.EventContactUpdated}) {
			t.Fatalf("events %v", ev)
		}
	})
	t.Run("unknown contact is 404, bad id is 400", func(t *testing.T) {
		if rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/999999", Token: te.Member}); rec.Code != http.StatusNotFound {
			t.Errorf("%d", rec.Code)
		}
		if rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/abc", Token: te.Member}); rec.Code != http.StatusBadRequest {
			t.Errorf("%d", rec.Code)
		}
	})
	t.Run("a contact's tickets are limited to what the agent sees", func(t *testing.T) {
		conv := te.MustPatch(t, te.MustConversation(t, "cust-9"), map[string]any{"team_id": te.Team.ID})
		path := "/api/v1/contacts/" + itoa(conv.ContactID) + "/conversations"
		member := MustDecode[convPage](t, Do(t, te.Srv, Req{Method: "GET", Path: path, Token: te.Member}))
		outsider := MustDecode[convPage](t, Do(t, te.Srv, Req{Method: "GET", Path: path, Token: te.Outsider}))
		if !slices.Equal(ids(member.Items), []int64{conv.ID}) || len(outsider.Items) != 0 {
			t.Fatalf("member %v outsider %v", ids(member.Items), ids(outsider.Items))
		}
	})
}

func TestTeamsAndTags(t *testing.T) {
	te := MustTeamEnv(t)
	me := MustDecode[parley.Agent](t, Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/me", Token: te.Member}))
	path := "/api/v1/teams/" + itoa(te.Team.ID)
	t.Run("members are replaced, unknown agents refused", func(t *testing.T) {
		if rec := Do(t, te.Srv, Req{Method: "PATCH", Path: path, Token: te.Admin, Body: map[string]any{"agent_ids": []int64{99999}}}); rec.Code != http.StatusBadRequest {
			t.Fatalf("%d", rec.Code)
		}
		rec := Do(t, te.Srv, Req{Method: "PATCH", Path: path, Token: te.Admin, Body: map[string]any{"agent_ids": []int64{}}})
		if rec.Code != http.StatusOK || len(MustDecode[parley.Team](t, rec).AgentIDs) != 0 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		after := MustDecode[parley.Agent](t, Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/me", Token: te.Member}))
		if len(me.TeamIDs) != 1 || len(after.TeamIDs) != 0 {
			t.Fatalf("team ids before %v after %v", me.TeamIDs, after.TeamIDs)
		}
	})
	t.Run("a rename leaves members alone", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "PATCH", Path: path, Token: te.Admin, Body: map[string]any{"name": "Finance"}})
		if rec.Code != http.StatusOK || MustDecode[parley.Team](t, rec).Name != "Finance" {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("tags page with cursors", func(t *testing.T) {
		for _, n := range []string{"a", "b", "c"} {
			if rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/tags", Token: te.Admin, Body: map[string]any{"name": n}}); rec.Code != http.StatusCreated {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
		first := MustDecode[struct {
			Items      []parley.Tag `json:"items"`
			NextCursor string       `json:"next_cursor"`
		}](t, Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/tags?limit=2", Token: te.Member}))
		rest := MustDecode[struct {
			Items      []parley.Tag `json:"items"`
			NextCursor string       `json:"next_cursor"`
		}](t, Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/tags?limit=2&cursor=" + first.NextCursor, Token: te.Member}))
		if len(first.Items) != 2 || first.Items[0].Name != "a" || len(rest.Items) != 1 || rest.Items[0].Name != "c" || rest.NextCursor != "" {
			t.Fatalf("first %+v rest %+v", first, rest)
		}
	})
	t.Run("channel tags cannot be made by hand", func(t *testing.T) {
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/tags", Token: te.Admin, Body: map[string]any{"name": "channel:sms"}}); rec.Code != http.StatusBadRequest {
			t.Fatalf("%d", rec.Code)
		}
	})
}

func TestMe(t *testing.T) {
	e := MustEnv(t)
	a := e.MustAgent(t, "ivy@example.com", parley.RoleAgent)
	token := e.MustToken(t, a)
	t.Run("presence change is announced", func(t *testing.T) {
		e.Events.Take()
		rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/me", Token: token, Body: map[string]any{"presence": "online"}})
		if rec.Code != http.StatusOK || MustDecode[parley.Agent](t, rec).Presence != parley.PresenceOnline {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if ev := e.Events.Take(); !slices.Equal(ev, []parley.EventType{parley.EventPresence}) {
			t.Fatalf("events %v", ev)
		}
	})
	t.Run("a short password is refused", func(t *testing.T) {
		if rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/me", Token: token, Body: map[string]any{"password": "short"}}); rec.Code != http.StatusBadRequest {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("a new password is the one that signs in", func(t *testing.T) {
		if rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/me", Token: token, Body: map[string]any{"password": "brand new secret"}}); rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		login := func(pw string) int {
			return Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "ivy@example.com", "password": pw}}).Code
		}
		if login(testPassword) != http.StatusUnauthorized || login("brand new secret") != http.StatusOK {
			t.Fatal("password not changed")
		}
	})
}

// recordingRealtime notes which agent the WebSocket was served for.
type recordingRealtime struct{ agent *parley.Agent }

func (r *recordingRealtime) ServeAgent(w http.ResponseWriter, _ *http.Request, a *parley.Agent) {
	r.agent = a
	w.WriteHeader(http.StatusSwitchingProtocols)
}

func TestWebSocketRoute(t *testing.T) {
	rt := &recordingRealtime{}
	e := MustEnv(t, func(c *httpapi.Config) { c.Realtime = rt })
	a := e.MustAgent(t, "jo@example.com", parley.RoleAgent)
	cookie := e.MustLogin(t, "jo@example.com")
	t.Run("unauthenticated upgrade is 401", func(t *testing.T) {
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/ws"}); rec.Code != http.StatusUnauthorized || rt.agent != nil {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("the signed-in agent is handed to realtime", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/ws", Cookie: cookie, Header: http.Header{"Sec-Fetch-Site": {"same-origin"}}})
		if rec.Code != http.StatusSwitchingProtocols || rt.agent == nil || rt.agent.ID != a.ID {
			t.Fatalf("%d %+v", rec.Code, rt.agent)
		}
	})
	t.Run("without realtime the route says so", func(t *testing.T) {
		e2 := MustEnv(t)
		e2.MustAgent(t, "jo@example.com", parley.RoleAgent)
		rec := Do(t, e2.Srv, Req{Method: "GET", Path: "/api/v1/ws", Cookie: e2.MustLogin(t, "jo@example.com")})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%d", rec.Code)
		}
	})
}

func TestSearch(t *testing.T) {
	te := MustTeamEnv(t)
	te.MustConversation(t, "cust-s")
	rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/search?q=hello", Token: te.Member})
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if res := MustDecode[parley.SearchResults](t, rec); len(res.Messages) == 0 || !contains(res.Messages[0].Snippet, "<mark>") {
		t.Fatalf("%s", rec.Body)
	}
	if rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/search?q=", Token: te.Member}); rec.Code != http.StatusBadRequest {
		t.Fatalf("empty q: %d", rec.Code)
	}
}

func TestOversizedJSONBodyIs413(t *testing.T) {
	te := MustTeamEnv(t)
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/contacts", Token: te.Member, Body: big})
	if rec.Code != http.StatusRequestEntityTooLarge || ErrorCodeOf(t, rec) != parley.ETOOLARGE {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
