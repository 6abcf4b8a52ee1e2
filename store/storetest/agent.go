package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

func testAgents(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("create, find by id and by e-mail in any case", func(t *testing.T) {
		st := open(t)
		if n, _ := st.CountAgents(ctx); n != 0 {
			t.Fatalf("fresh store has %d agents", n)
		}
		team := MustCreateTeam(t, st)
		a := MustCreateAgent(t, st, parley.RoleAgent, team.ID)
		got, err := st.FindAgentByEmail(ctx, "  "+a.Email+" ")
		if err != nil || got.ID != a.ID || got.Email != a.Email || len(got.TeamIDs) != 1 || got.TeamIDs[0] != team.ID {
			t.Fatalf("by e-mail: %+v, %v", got, err)
		}
		if got, err := st.FindAgentByID(ctx, a.ID); err != nil || got.Name != a.Name || got.Role != parley.RoleAgent || !got.Active {
			t.Fatalf("by id: %+v, %v", got, err)
		}
		if n, _ := st.CountAgents(ctx); n != 1 {
			t.Fatalf("count = %d", n)
		}
	})

	t.Run("taken e-mail is a conflict, missing agent not found", func(t *testing.T) {
		st := open(t)
		a := MustCreateAgent(t, st, parley.RoleAdmin)
		wantCode(t, st.CreateAgent(ctx, &parley.Agent{Email: a.Email, Name: "Twin", Role: parley.RoleAgent}), parley.ECONFLICT)
		_, err := st.FindAgentByID(ctx, a.ID+100)
		wantCode(t, err, parley.ENOTFOUND)
		wantCode(t, st.CreateAgent(ctx, &parley.Agent{Email: "x@y.z", Role: "god"}), parley.EINVALID)
	})

	t.Run("update changes only the given fields", func(t *testing.T) {
		st := open(t)
		a := MustCreateAgent(t, st, parley.RoleAgent)
		got, err := st.UpdateAgent(ctx, a.ID, parley.AgentUpdate{Presence: ptr(parley.PresenceOnline), Capacity: ptr(5), PasswordHash: ptr("$argon2id$x")})
		if err != nil || got.Presence != parley.PresenceOnline || got.Capacity != 5 || got.PasswordHash != "$argon2id$x" || got.Name != a.Name {
			t.Fatalf("updated: %+v, %v", got, err)
		}
		_, err = st.UpdateAgent(ctx, a.ID+100, parley.AgentUpdate{Name: ptr("ghost")})
		wantCode(t, err, parley.ENOTFOUND)
		agents, err := st.FindAgents(ctx)
		if err != nil || len(agents) != 1 || agents[0].Presence != parley.PresenceOnline {
			t.Fatalf("agents: %+v, %v", agents, err)
		}
	})

	t.Run("teams keep their members", func(t *testing.T) {
		st := open(t)
		a, b := MustCreateAgent(t, st, parley.RoleAgent), MustCreateAgent(t, st, parley.RoleAgent)
		team := MustCreateTeam(t, st, a.ID)
		got, err := st.UpdateTeam(ctx, team.ID, ptr("Billing"), []int64{b.ID})
		if err != nil || got.Name != "Billing" || len(got.AgentIDs) != 1 || got.AgentIDs[0] != b.ID {
			t.Fatalf("updated team: %+v, %v", got, err)
		}
		if ag, _ := st.FindAgentByID(ctx, a.ID); len(ag.TeamIDs) != 0 {
			t.Fatalf("removed member still in team: %v", ag.TeamIDs)
		}
		teams, err := st.FindTeams(ctx)
		if err != nil || len(teams) != 1 || teams[0].AgentIDs[0] != b.ID {
			t.Fatalf("teams: %+v, %v", teams, err)
		}
		wantCode(t, st.CreateTeam(ctx, &parley.Team{Name: "Billing"}), parley.ECONFLICT)
		if err := st.DeleteTeam(ctx, team.ID); err != nil {
			t.Fatal(err)
		}
		_, err = st.FindTeamByID(ctx, team.ID)
		wantCode(t, err, parley.ENOTFOUND)
		wantCode(t, st.DeleteTeam(ctx, team.ID), parley.ENOTFOUND)
	})
}

func testCredentials(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("sessions are found until they expire", func(t *testing.T) {
		st := open(t)
		a := MustCreateAgent(t, st, parley.RoleAgent)
		live := &parley.Session{TokenHash: []byte("live-hash"), AgentID: a.ID, ExpiresAt: time.Now().Add(time.Hour)}
		old := &parley.Session{TokenHash: []byte("old-hash"), AgentID: a.ID, ExpiresAt: time.Now().Add(-time.Hour)}
		for _, s := range []*parley.Session{live, old} {
			if err := st.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := st.FindSession(ctx, []byte("live-hash")); err != nil || got.AgentID != a.ID {
			t.Fatalf("live session: %+v, %v", got, err)
		}
		_, err := st.FindSession(ctx, []byte("old-hash"))
		wantCode(t, err, parley.ENOTFOUND)
		if err := st.DeleteSession(ctx, []byte("live-hash")); err != nil {
			t.Fatal(err)
		}
		_, err = st.FindSession(ctx, []byte("live-hash"))
		wantCode(t, err, parley.ENOTFOUND)
	})

	t.Run("API tokens are found by hash and revoked by their owner", func(t *testing.T) {
		st := open(t)
		a, b := MustCreateAgent(t, st, parley.RoleAgent), MustCreateAgent(t, st, parley.RoleAgent)
		tok := &parley.APIToken{AgentID: a.ID, Name: "CI", Prefix: "pk_1234", TokenHash: []byte("token-hash")}
		if err := st.CreateAPIToken(ctx, tok); err != nil || tok.ID == 0 {
			t.Fatalf("create: %v", err)
		}
		got, err := st.FindAPITokenByHash(ctx, []byte("token-hash"))
		if err != nil || got.ID != tok.ID || got.LastUsedAt == nil {
			t.Fatalf("by hash: %+v, %v", got, err)
		}
		if list, _ := st.FindAPITokens(ctx, a.ID); len(list) != 1 || list[0].Prefix != "pk_1234" {
			t.Fatalf("list = %+v", list)
		}
		wantCode(t, st.DeleteAPIToken(ctx, b.ID, tok.ID), parley.ENOTFOUND)
		if err := st.DeleteAPIToken(ctx, a.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = st.FindAPITokenByHash(ctx, []byte("token-hash"))
		wantCode(t, err, parley.ENOTFOUND)
	})
}

func testTags(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	ch := MustCreateChannel(t, st, parley.PlatformTelegram)
	conv := MustConversation(t, st, ch, "u1", "hi")
	if _, err := st.UpdateConversation(ctx, conv.ID, parley.ConversationUpdate{Version: conv.Version, AddTags: []string{"refund"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertTag(ctx, &parley.Tag{Name: "refund", Color: "#f00"}); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertTag(ctx, &parley.Tag{Name: "vip"}); err != nil {
		t.Fatal(err)
	}
	counts := map[string]parley.Tag{}
	tags, err := st.FindTags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range tags {
		counts[tag.Name] = *tag
	}
	if counts["refund"].Count != 1 || counts["refund"].Color != "#f00" || counts["vip"].Count != 0 || counts["channel:telegram"].Count != 1 {
		t.Fatalf("tags = %+v", counts)
	}
	wantCode(t, st.DeleteTag(ctx, "channel:telegram"), parley.EINVALID)
	if err := st.DeleteTag(ctx, "refund"); err != nil {
		t.Fatal(err)
	}
	if c := mustFindConversation(t, st, conv.ID); len(c.Tags) != 1 {
		t.Fatalf("deleted tag still on the ticket: %v", c.Tags)
	}
	wantCode(t, st.DeleteTag(ctx, "refund"), parley.ENOTFOUND)
}

func testChannels(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	ch := &parley.Channel{Platform: parley.PlatformWhatsApp, Name: "Support line",
		Config: map[string]string{"phone_number_id": "123"}, Secrets: map[string]string{"access_token": "EAAG-secret", "app_secret": "s3"}}
	if err := st.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	got, err := st.FindChannelByID(ctx, ch.ID)
	if err != nil || got.Secrets["access_token"] != "EAAG-secret" || got.Config["phone_number_id"] != "123" || got.Status != parley.ChannelActive {
		t.Fatalf("channel = %+v, %v", got, err)
	}
	got, err = st.UpdateChannel(ctx, ch.ID, parley.ChannelUpdate{Status: ptr(parley.ChannelDisconnected), StatusReason: ptr("token expired"),
		Secrets: map[string]*string{"access_token": ptr("EAAG-new"), "app_secret": nil}})
	if err != nil || got.Secrets["access_token"] != "EAAG-new" || len(got.Secrets) != 1 || got.Status != parley.ChannelDisconnected ||
		got.StatusCode != parley.ChannelReasonAuth {
		t.Fatalf("updated = %+v, %v", got, err)
	}
	if list, _ := st.FindChannels(ctx); len(list) != 1 || list[0].Secrets["access_token"] != "EAAG-new" || list[0].StatusCode != parley.ChannelReasonAuth {
		t.Fatalf("list = %+v", list)
	}
	wantCode(t, st.CreateChannel(ctx, &parley.Channel{Platform: "myspace"}), parley.EINVALID)
	MustConversation(t, st, ch, "4915", "hi")
	wantCode(t, st.DeleteChannel(ctx, ch.ID), parley.ECONFLICT)
	empty := MustCreateChannel(t, st, parley.PlatformSMS)
	if err := st.DeleteChannel(ctx, empty.ID); err != nil {
		t.Fatal(err)
	}
	_, err = st.FindChannelByID(ctx, empty.ID)
	wantCode(t, err, parley.ENOTFOUND)
}
