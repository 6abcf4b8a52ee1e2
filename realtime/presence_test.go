package realtime_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/realtime"
)

// isActivity matches a viewing frame about an agent in a conversation.
func isActivity(agentID, conversationID int64, a parley.Activity) func(frame) bool {
	return func(f frame) bool {
		return f.Type == "viewing" && f.Presence != nil && f.Presence.AgentID == agentID &&
			f.Presence.ConversationID == conversationID && f.Presence.Activity == a
	}
}

// isPresence matches a presence event about an agent.
func isPresence(agentID int64, p parley.Presence) func(frame) bool {
	return func(f frame) bool {
		return f.Type == "presence" && f.Presence != nil && f.Presence.AgentID == agentID && f.Presence.Presence == p
	}
}

func hasFrame(fs []frame, match func(frame) bool) bool { return slices.ContainsFunc(fs, match) }

func viewerSummary(vs []parley.PresenceInfo) map[int64]parley.Activity {
	out := make(map[int64]parley.Activity)
	for _, v := range vs {
		out[v.AgentID] = v.Activity
	}
	return out
}

func TestViewingAndTyping(t *testing.T) {
	f := newTeamFixture(t, nil)
	const conv = 7
	f.ben.View(t, conv)
	f.ben.Sync(t)

	t.Run("a new viewer is announced to the others and learns who is there", func(t *testing.T) {
		f.ana.View(t, conv)
		got := f.ben.Until(t, "Ana viewing", isActivity(1, conv, parley.ActivityViewing))
		if hasFrame(got, isType("viewing")) {
			t.Errorf("Ben got other activity first: %v", got)
		}
		f.ana.Until(t, "Ben viewing", isActivity(2, conv, parley.ActivityViewing))
		f.ana.View(t, conv) // a refresh changes nothing visible
		f.ana.Sync(t)
		if fr := f.ben.Sync(t); hasFrame(fr, isType("viewing")) {
			t.Errorf("Ana's refresh was announced again: %v", fr)
		}
	})

	t.Run("typing reaches the other viewers", func(t *testing.T) {
		f.ana.Type(t, conv)
		f.ben.Until(t, "Ana typing", isActivity(1, conv, parley.ActivityTyping))
		f.ana.Sync(t)
		want := map[int64]parley.Activity{1: parley.ActivityTyping, 2: parley.ActivityViewing}
		if got := viewerSummary(f.node.Hub.Viewers(conv)); !maps.Equal(got, want) {
			t.Errorf("Viewers = %v, want %v", got, want)
		}
	})

	t.Run("agents not viewing the conversation hear nothing of it", func(t *testing.T) {
		MustPublish(t, f.bus, markerEvent(1))
		if got := f.sue.Until(t, "marker", isMarker(1)); hasFrame(got, isType("viewing")) {
			t.Errorf("Sue, viewing nothing, got activity: %v", got)
		}
	})

	t.Run("typing expires back to viewing", func(t *testing.T) {
		f.node.Clock.Advance(7 * time.Second)
		f.ben.Until(t, "Ana back to viewing", isActivity(1, conv, parley.ActivityViewing))
	})

	t.Run("viewing expires unless refreshed", func(t *testing.T) {
		f.ben.View(t, conv) // Ben refreshes, Ana does not
		f.ben.Sync(t)
		f.node.Clock.Advance(24 * time.Second) // 31 s after Ana's last frame
		f.ben.Until(t, "Ana left", isActivity(1, conv, parley.ActivityLeft))
		want := map[int64]parley.Activity{2: parley.ActivityViewing}
		if got := viewerSummary(f.node.Hub.Viewers(conv)); !maps.Equal(got, want) {
			t.Errorf("Viewers = %v, want %v", got, want)
		}
	})
}

func TestLeaving(t *testing.T) {
	t.Run("a left frame is announced", func(t *testing.T) {
		f := newTeamFixture(t, nil)
		f.ben.View(t, 8)
		f.ben.Sync(t)
		f.ana.View(t, 8)
		f.ben.Until(t, "Ana viewing", isActivity(1, 8, parley.ActivityViewing))
		f.ana.Send(t, map[string]any{"type": "left", "conversation_id": 8})
		f.ben.Until(t, "Ana left", isActivity(1, 8, parley.ActivityLeft))
		if got := f.node.Hub.Viewers(8); len(got) != 1 || got[0].AgentID != 2 {
			t.Errorf("Viewers = %v, want Ben only", got)
		}
	})

	t.Run("a quick view and leave is announced once, not echoed back", func(t *testing.T) {
		f := newTeamFixture(t, nil)
		f.ben.View(t, 11)
		f.ben.Sync(t)
		for range 5 {
			f.ana.View(t, 11)
			f.ana.Send(t, map[string]any{"type": "left", "conversation_id": 11})
		}
		f.ana.Sync(t)
		time.Sleep(100 * time.Millisecond) // echoes from the bus would arrive meanwhile
		MustPublish(t, f.bus, markerEvent(1))
		var got []parley.Activity
		for _, fr := range f.ben.Until(t, "marker", isMarker(1)) {
			if fr.Type == "viewing" {
				got = append(got, fr.Presence.Activity)
			}
		}
		want := slices.Repeat([]parley.Activity{parley.ActivityViewing, parley.ActivityLeft}, 5)
		if !slices.Equal(got, want) {
			t.Errorf("Ben saw %v, want %v", got, want)
		}
		if v := f.node.Hub.Viewers(11); len(v) != 1 {
			t.Errorf("Viewers = %v, want Ben only", v)
		}
	})

	t.Run("a closed socket leaves, and its agent goes offline after a grace period", func(t *testing.T) {
		f := newTeamFixture(t, nil)
		f.ben.View(t, 9)
		f.ben.Sync(t)
		f.ana.View(t, 9)
		f.ben.Until(t, "Ana viewing", isActivity(1, 9, parley.ActivityViewing))
		f.ana.Close()
		f.ben.Until(t, "Ana left", isActivity(1, 9, parley.ActivityLeft))
		f.node.Clock.Advance(5 * time.Second) // the offline grace period
		f.sue.Until(t, "Ana offline", isPresence(1, parley.PresenceOffline))
		if got := f.node.Hub.Viewers(9); len(got) != 1 || got[0].AgentID != 2 {
			t.Errorf("Viewers = %v, want Ben only", got)
		}
	})

	t.Run("an agent still viewing from another socket does not leave", func(t *testing.T) {
		f := newTeamFixture(t, nil)
		second := MustDial(t, f.node, 1)
		f.ben.View(t, 10)
		f.ben.Sync(t)
		f.ana.View(t, 10)
		second.View(t, 10)
		second.Sync(t)
		f.ben.Until(t, "Ana viewing", isActivity(1, 10, parley.ActivityViewing))
		f.ana.Close()
		waitUntil(t, "the hub forgot the closed socket", func() bool { return f.node.Hub.Clients() == 3 })
		if got := f.node.Hub.Viewers(10); len(got) != 2 {
			t.Errorf("Viewers = %v, want Ana (second tab) and Ben", got)
		}
		second.Close()
		f.ben.Until(t, "Ana left", isActivity(1, 10, parley.ActivityLeft))
	})
}

// TestOnlinePresence follows one agent's sockets opening and closing; the
// steps share the sockets, so they are one test.
func TestOnlinePresence(t *testing.T) {
	f := newTeamFixture(t, nil)
	f.node.Agents.Put(agent(4, "Dan", parley.RoleAgent, teamA))
	noPresenceOfDan := func(c *testClient, marker int64) {
		t.Helper()
		MustPublish(t, f.bus, markerEvent(marker))
		got := c.Until(t, "marker", isMarker(marker))
		if hasFrame(got, func(fr frame) bool { return fr.Type == "presence" && fr.Presence.AgentID == 4 }) {
			t.Errorf("unexpected presence change of Dan: %v", got)
		}
	}

	// The first socket brings the agent online, for supervisors to see.
	first := MustDial(t, f.node, 4)
	f.sue.Until(t, "Dan online", isPresence(4, parley.PresenceOnline))
	noPresenceOfDan(f.ana, 1) // agents are not told of every colleague's comings and goings

	// More sockets, and closing some, keep the agent online.
	second, third := MustDial(t, f.node, 4), MustDial(t, f.node, 4)
	first.Close()
	waitUntil(t, "the hub forgot the closed socket", func() bool { return f.node.Hub.Clients() == 5 })
	f.node.Clock.Advance(10 * time.Second)
	time.Sleep(50 * time.Millisecond) // sweeps that would announce him offline
	noPresenceOfDan(f.sue, 2)

	// Closing every socket and reconnecting within the grace period (a page
	// reload) shows nothing.
	second.Close()
	third.Close()
	waitUntil(t, "the hub forgot the closed sockets", func() bool { return f.node.Hub.Clients() == 3 })
	f.node.Clock.Advance(4 * time.Second)
	reloaded := MustDial(t, f.node, 4)
	f.node.Clock.Advance(10 * time.Second)
	time.Sleep(50 * time.Millisecond)
	noPresenceOfDan(f.sue, 3)

	// The last socket closing takes the agent offline once the grace passed.
	reloaded.Close()
	waitUntil(t, "the hub forgot the closed socket", func() bool { return f.node.Hub.Clients() == 3 })
	f.node.Clock.Advance(5 * time.Second)
	f.sue.Until(t, "Dan offline", isPresence(4, parley.PresenceOffline))
}

func TestPresenceToAll(t *testing.T) {
	f := newTeamFixture(t, func(c *realtime.Config) { c.PresenceToAll = true })
	f.node.Agents.Put(agent(4, "Dan", parley.RoleAgent, teamA))
	MustDial(t, f.node, 4)
	f.ana.Until(t, "Dan online, though Ana is an agent", isPresence(4, parley.PresenceOnline))
}

// conversationDirectory is the conversations the hub checks viewers against.
type conversationDirectory map[int64]*parley.Conversation

func (d conversationDirectory) FindConversationByID(_ context.Context, id int64) (*parley.Conversation, error) {
	if c, ok := d[id]; ok {
		return c, nil
	}
	return nil, parley.Errorf(parley.ENOTFOUND, "conversation %d not found", id)
}

func TestViewingNeedsVisibility(t *testing.T) {
	convs := conversationDirectory{
		20: {ID: 20, TeamID: ptr(teamA)},
		21: {ID: 21, TeamID: ptr(teamB)},
	}
	f := newTeamFixture(t, func(c *realtime.Config) { c.Conversations = convs })
	f.ben.View(t, 21)
	f.ben.Sync(t)

	for _, tc := range []struct {
		name string
		conv int64
	}{
		{"another team's conversation is refused as not found", 21},
		{"a conversation that does not exist is refused", 99},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.ana.View(t, tc.conv)
			got := f.ana.Sync(t)
			if !hasFrame(got, func(fr frame) bool { return fr.Error != nil && fr.Error.Code == parley.ENOTFOUND }) {
				t.Errorf("Ana got %v, want a not_found error", got)
			}
			if hasFrame(got, isType("viewing")) {
				t.Errorf("Ana learned who views conversation %d: %v", tc.conv, got)
			}
		})
	}

	t.Run("nobody hears of the refused viewer", func(t *testing.T) {
		MustPublish(t, f.bus, markerEvent(1))
		if got := f.ben.Until(t, "marker", isMarker(1)); hasFrame(got, isType("viewing")) {
			t.Errorf("Ben heard of Ana in his conversation: %v", got)
		}
		if v := f.node.Hub.Viewers(21); len(v) != 1 {
			t.Errorf("Viewers(21) = %v, want Ben only", v)
		}
	})

	t.Run("her own team's conversation is fine", func(t *testing.T) {
		f.ana.View(t, 20)
		if got := f.ana.Sync(t); hasFrame(got, isType("error")) {
			t.Errorf("Ana got %v viewing her team's conversation", got)
		}
		if v := f.node.Hub.Viewers(20); len(v) != 1 || v[0].AgentID != 1 {
			t.Errorf("Viewers(20) = %v, want Ana", v)
		}
	})

	t.Run("supervisors view anything", func(t *testing.T) {
		f.sue.View(t, 21)
		f.ben.Until(t, "Sue viewing", isActivity(3, 21, parley.ActivityViewing))
	})
}
