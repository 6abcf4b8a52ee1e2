package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
)

func TestReplies(t *testing.T) {
	te := MustTeamEnv(t)
	c := te.MustConversation(t, "cust-1")
	path := "/api/v1/conversations/" + itoa(c.ID) + "/messages"
	te.Events.Take()

	var reply *parley.Message
	t.Run("a text reply is stored queued, then queued for sending and announced", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Member, Body: map[string]any{"body": "On it!", "kind": "text"}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		reply = MustDecode[*parley.Message](t, rec)
		if reply.Status != parley.MessageQueued || reply.Direction != parley.DirectionOut ||
			reply.AuthorAgentID == nil || *reply.AuthorAgentID != te.MemberAgent.ID {
			t.Fatalf("%+v", reply)
		}
		if stored, err := te.Store.FindMessageByID(context.Background(), reply.ID); err != nil || stored.Status != parley.MessageQueued {
			t.Fatalf("stored %+v %v", stored, err)
		}
		if !slices.Equal(te.Outbound.Published(), []int64{reply.ID}) {
			t.Fatalf("outbound %v", te.Outbound.Published())
		}
		if ev := te.Events.Take(); !slices.Contains(ev, parley.EventMessageCreated) {
			t.Fatalf("events %v", ev)
		}
	})
	t.Run("a note is stored internal and never sent", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Member, Body: map[string]any{"body": "VIP, be nice", "kind": "note"}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if m := MustDecode[*parley.Message](t, rec); m.Direction != parley.DirectionInternal || m.Kind != parley.KindNote {
			t.Fatalf("%+v", m)
		}
		if len(te.Outbound.Published()) != 1 {
			t.Fatalf("note was queued for sending: %v", te.Outbound.Published())
		}
	})
	for name, body := range map[string]map[string]any{
		"empty body":     {"body": "  ", "kind": "text"},
		"unknown kind":   {"body": "x", "kind": "fax"},
		"bad attachment": {"body": "x", "attachments": []map[string]string{{"filename": "a.png"}}},
	} {
		t.Run(name+" is 400 and stores nothing", func(t *testing.T) {
			rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Member, Body: body})
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	t.Run("the thread lists oldest first with cursors", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "GET", Path: path + "?limit=1", Token: te.Member})
		first := MustDecode[struct {
			Items      []*parley.Message `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}](t, rec)
		if len(first.Items) != 1 || first.Items[0].Direction != parley.DirectionIn || first.NextCursor == "" {
			t.Fatalf("first page %s", rec.Body)
		}
		rec = Do(t, te.Srv, Req{Method: "GET", Path: path + "?limit=200&cursor=" + first.NextCursor, Token: te.Member})
		rest := MustDecode[struct {
			Items []*parley.Message `json:"items"`
		}](t, rec)
		var got []int64
		for _, m := range rest.Items {
			got = append(got, m.ID)
		}
		if !slices.Contains(got, reply.ID) || !slices.IsSorted(got) {
			t.Fatalf("rest %v", got)
		}
	})
	t.Run("only a failed reply can be retried", func(t *testing.T) {
		retry := "/api/v1/messages/" + itoa(reply.ID) + "/retry"
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: retry, Token: te.Member}); rec.Code != http.StatusConflict {
			t.Fatalf("queued retry: %d %s", rec.Code, rec.Body)
		}
		ctx := context.Background()
		if ok, err := te.Store.ClaimMessage(ctx, reply.ID); !ok || err != nil {
			t.Fatalf("claim %v %v", ok, err)
		}
		if _, err := te.Store.UpdateMessageStatus(ctx, parley.StatusUpdate{MessageID: reply.ID, Status: parley.MessageFailed, FailureReason: "window closed"}); err != nil {
			t.Fatal(err)
		}
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: retry, Token: te.Outsider}); rec.Code != http.StatusOK {
			t.Fatalf("retry: %d %s", rec.Code, rec.Body)
		}
		if m, _ := te.Store.FindMessageByID(ctx, reply.ID); m.Status != parley.MessageQueued {
			t.Fatalf("status %s", m.Status)
		}
		if got := te.Outbound.Published(); !slices.Equal(got, []int64{reply.ID, reply.ID}) {
			t.Fatalf("outbound %v", got)
		}
	})
}

func TestRoles(t *testing.T) {
	te := MustTeamEnv(t)
	adminWrites := []Req{
		{Method: "POST", Path: "/api/v1/channels", Body: map[string]any{"platform": "api", "name": "Shop"}},
		{Method: "POST", Path: "/api/v1/agents", Body: map[string]any{"email": "new@example.com", "name": "New", "role": "agent", "password": "long enough"}},
		{Method: "POST", Path: "/api/v1/teams", Body: map[string]any{"name": "Sales"}},
		{Method: "POST", Path: "/api/v1/tags", Body: map[string]any{"name": "vip", "color": "#ff0000"}},
		{Method: "DELETE", Path: "/api/v1/channels/" + itoa(te.Channel.ID)},
	}
	for _, who := range []struct{ name, token string }{{"agent", te.Member}, {"supervisor", te.Super}} {
		for _, r := range adminWrites {
			t.Run(who.name+" may not "+r.Method+" "+r.Path, func(t *testing.T) {
				r.Token = who.token
				if rec := Do(t, te.Srv, r); rec.Code != http.StatusForbidden {
					t.Fatalf("%d %s", rec.Code, rec.Body)
				}
			})
		}
	}
	for _, r := range adminWrites[:4] {
		t.Run("admin may "+r.Method+" "+r.Path, func(t *testing.T) {
			r.Token = te.Admin
			if rec := Do(t, te.Srv, r); rec.Code != http.StatusCreated {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	t.Run("everyone may read channels, agents, teams, tags", func(t *testing.T) {
		for _, p := range []string{"/api/v1/channels", "/api/v1/agents", "/api/v1/teams", "/api/v1/tags"} {
			if rec := Do(t, te.Srv, Req{Method: "GET", Path: p, Token: te.Member}); rec.Code != http.StatusOK {
				t.Errorf("%s: %d", p, rec.Code)
			}
		}
	})
	t.Run("an admin cannot deactivate themselves", func(t *testing.T) {
		me := MustDecode[parley.Agent](t, Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/me", Token: te.Admin}))
		rec := Do(t, te.Srv, Req{Method: "PATCH", Path: "/api/v1/agents/" + itoa(me.ID), Token: te.Admin, Body: map[string]any{"active": false}})
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("a created agent can sign in", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "new@example.com", "password": "long enough"}})
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestChannelSecretsAreWriteOnly(t *testing.T) {
	te := MustTeamEnv(t)
	rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/channels", Token: te.Admin,
		Body: map[string]any{"platform": "api", "name": "Shop", "config": map[string]string{"webhook_url": "https://shop.example/hook"},
			"secrets": map[string]string{"secret": "TOPSECRET-123"}}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	ch := MustDecode[*parley.Channel](t, rec)
	for _, r := range []Req{
		{Method: "GET", Path: "/api/v1/channels/" + itoa(ch.ID)},
		{Method: "GET", Path: "/api/v1/channels"},
		{Method: "PATCH", Path: "/api/v1/channels/" + itoa(ch.ID), Body: map[string]any{"secrets": map[string]string{"secret": "TOPSECRET-456"}}},
	} {
		r.Token = te.Admin
		rec := Do(t, te.Srv, r)
		if rec.Code != http.StatusOK || bytesContain(rec.Body.Bytes(), "TOPSECRET") || bytesContain(rec.Body.Bytes(), "secrets") {
			t.Errorf("%s %s: %d %s", r.Method, r.Path, rec.Code, rec.Body)
		}
	}
	t.Run("the secret reached the store", func(t *testing.T) {
		stored, err := te.Store.FindChannelByID(context.Background(), ch.ID)
		if err != nil || stored.Secrets["secret"] != "TOPSECRET-456" {
			t.Fatalf("%v %v", stored, err)
		}
	})
	t.Run("a platform without an adapter is refused", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "POST", Path: "/api/v1/channels", Token: te.Admin, Body: map[string]any{"platform": "telegram", "name": "Bot"}})
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

func bytesContain(b []byte, s string) bool { return contains(string(b), s) }
