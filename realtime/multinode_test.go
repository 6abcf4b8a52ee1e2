package realtime_test

import (
	"slices"
	"testing"
	"time"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/realtime"
)

// TestTwoNodes runs two hubs, each on its own connection to one real NATS
// server (as two app nodes would be): Ana and Sue on node A; Ben, Sue again
// and Max (admin) on node B.
func TestTwoNodes(t *testing.T) {
	bustest.ForEachServer(t, func(t *testing.T, open bustest.Opener) {
		busA, busB := open(t, bus.Config{NodeID: "a"}), open(t, bus.Config{NodeID: "b"})
		dir := newAgentDirectory(
			agent(1, "Ana", parley.RoleAgent, teamA),
			agent(2, "Ben", parley.RoleAgent, teamB),
			agent(3, "Sue", parley.RoleSupervisor),
			agent(5, "Max", parley.RoleAdmin),
		)
		nodeA := MustStartNode(t, busA, busA, dir, func(c *realtime.Config) { c.NodeID = "a" })
		nodeB := MustStartNode(t, busB, busB, dir, func(c *realtime.Config) { c.NodeID = "b" })
		ana, sueA := MustDial(t, nodeA, 1), MustDial(t, nodeA, 3)
		ben, sueB, admin := MustDial(t, nodeB, 2), MustDial(t, nodeB, 3), MustDial(t, nodeB, 5)
		marker := int64(0)
		received := func(c *testClient) []int64 {
			t.Helper()
			return conversationIDs(c.Until(t, "marker", isMarker(marker)))
		}

		// An event published on one node reaches the agents allowed to see
		// it on every node, and no one else.
		MustPublish(t, busA, conversationEvent(parley.EventConversationCreated, 100, ptr(teamB), nil))
		marker++
		MustPublish(t, busA, markerEvent(marker))
		if got := received(ben); !slices.Equal(got, []int64{100}) {
			t.Errorf("Ben on node B got %v, want [100]", got)
		}
		if got := received(ana); len(got) != 0 {
			t.Errorf("Ana (team A) got %v, want nothing", got)
		}
		for _, sue := range []*testClient{sueA, sueB} {
			if got := received(sue); !slices.Equal(got, []int64{100}) {
				t.Errorf("Sue got %v on one of her nodes, want [100]", got)
			}
		}

		// Activity crosses nodes both ways.
		ben.View(t, 7)
		waitUntil(t, "node A hears Ben viewing", func() bool { return len(nodeA.Hub.Viewers(7)) == 1 })
		ana.View(t, 7)
		ana.Until(t, "Ben viewing, from node B", isActivity(2, 7, parley.ActivityViewing))
		ben.Until(t, "Ana viewing, from node A", isActivity(1, 7, parley.ActivityViewing))
		ana.Type(t, 7)
		ben.Until(t, "Ana typing, from node A", isActivity(1, 7, parley.ActivityTyping))

		// An agent viewing a conversation on both nodes stays a viewer until
		// both stop.
		ben.View(t, 8)
		ben.Sync(t)
		sueA.View(t, 8)
		sueB.View(t, 8)
		ben.Until(t, "Sue viewing", isActivity(3, 8, parley.ActivityViewing))
		sueA.Sync(t)
		sueB.Sync(t)
		time.Sleep(100 * time.Millisecond) // each node hears the other's view
		sueA.Send(t, map[string]any{"type": "left", "conversation_id": 8})
		sueA.Sync(t)
		time.Sleep(100 * time.Millisecond) // a "left" would cross the bus meanwhile
		marker++
		MustPublish(t, busB, markerEvent(marker))
		if got := ben.Until(t, "marker", isMarker(marker)); hasFrame(got, isActivity(3, 8, parley.ActivityLeft)) {
			t.Errorf("Ben saw Sue leave while she still views the conversation on node B")
		}
		sueB.Send(t, map[string]any{"type": "left", "conversation_id": 8})
		ben.Until(t, "Sue left once she left on both nodes", isActivity(3, 8, parley.ActivityLeft))

		// An agent with a socket on each node stays online until both close
		// (and the offline grace period has passed on the last node).
		sueB.Close()
		waitUntil(t, "node B forgets Sue's socket", func() bool { return nodeB.Hub.Clients() == 2 })
		nodeB.Clock.Advance(5 * time.Second)
		time.Sleep(100 * time.Millisecond) // an offline notice would cross the bus meanwhile
		marker++
		MustPublish(t, busB, markerEvent(marker))
		if got := admin.Until(t, "marker", isMarker(marker)); hasFrame(got, isPresence(3, parley.PresenceOffline)) {
			t.Errorf("Max (admin) saw Sue go offline while she is still connected to node A")
		}
		sueA.Close()
		waitUntil(t, "node A forgets Sue's socket", func() bool { return nodeA.Hub.Clients() == 1 })
		nodeA.Clock.Advance(5 * time.Second)
		admin.Until(t, "Sue offline, from node A", isPresence(3, parley.PresenceOffline))

		// Closing a socket on one node is a "left" on the other.
		ana.Close()
		ben.Until(t, "Ana left, from node A", isActivity(1, 7, parley.ActivityLeft))
		waitUntil(t, "node A forgets Ana's socket", func() bool { return nodeA.Hub.Clients() == 0 })
		nodeA.Clock.Advance(5 * time.Second)
		admin.Until(t, "Ana offline, from node A", isPresence(1, parley.PresenceOffline))
		waitUntil(t, "node B forgets Ana's view", func() bool { return len(nodeB.Hub.Viewers(7)) == 1 })
	})
}

// TestSilentNodeExpires checks that what a node announced fades on the
// others when it stops talking (a crash), by their own clocks.
func TestSilentNodeExpires(t *testing.T) {
	shared := newMemBus()
	dir := newAgentDirectory(agent(1, "Ana", parley.RoleAgent, teamA), agent(2, "Ben", parley.RoleSupervisor))
	nodeA := MustStartNode(t, shared, shared, dir, nil)
	nodeB := MustStartNode(t, shared, shared, dir, nil)
	ben := MustDial(t, nodeB, 2)
	ben.View(t, 7)
	ben.Sync(t)
	ana := MustDial(t, nodeA, 1)
	ana.View(t, 7)
	ben.Until(t, "Ana viewing", isActivity(1, 7, parley.ActivityViewing))

	nodeB.Clock.Advance(91 * time.Second) // three presence heartbeats missed
	ben.Until(t, "Ana left once node A went silent", isActivity(1, 7, parley.ActivityLeft))
	ben.Until(t, "Ana offline once node A went silent", isPresence(1, parley.PresenceOffline))
	if got := nodeB.Hub.Clients(); got != 1 {
		t.Errorf("node B has %d sockets, want Ben's, untouched", got)
	}
}
