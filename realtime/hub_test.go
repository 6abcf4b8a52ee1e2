package realtime_test

import (
	"context"
	"testing"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/realtime"
)

func TestNewHub(t *testing.T) {
	t.Run("events are required", func(t *testing.T) {
		if _, err := realtime.NewHub(realtime.Config{}); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("error = %v, want invalid", err)
		}
	})

	t.Run("a hub starts once", func(t *testing.T) {
		hub, err := realtime.NewHub(realtime.Config{Events: newMemBus()})
		if err != nil {
			t.Fatal(err)
		}
		defer hub.Close()
		if err := hub.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := hub.Start(context.Background()); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Errorf("second Start: error = %v, want conflict", err)
		}
	})

	t.Run("without a presence bus, presence stays on the node", func(t *testing.T) {
		bus := newMemBus()
		dir := newAgentDirectory(agent(1, "Ana", parley.RoleAgent, teamA), agent(2, "Ben", parley.RoleAgent, teamA))
		node := MustStartNode(t, bus, nil, dir, nil)
		ana, ben := MustDial(t, node, 1), MustDial(t, node, 2)
		ben.View(t, 3)
		ben.Sync(t)
		ana.Type(t, 3)
		ben.Until(t, "Ana typing", isActivity(1, 3, parley.ActivityTyping))
	})

	t.Run("nodes given the same name still hear each other", func(t *testing.T) {
		bus := newMemBus()
		dir := newAgentDirectory(agent(1, "Ana", parley.RoleAgent, teamA), agent(2, "Ben", parley.RoleAgent, teamA))
		same := func(c *realtime.Config) { c.NodeID = "web" }
		nodeA, nodeB := MustStartNode(t, bus, bus, dir, same), MustStartNode(t, bus, bus, dir, same)
		ana, ben := MustDial(t, nodeA, 1), MustDial(t, nodeB, 2)
		ben.View(t, 3)
		ben.Sync(t)
		ana.View(t, 3)
		ben.Until(t, "Ana viewing, from the other node", isActivity(1, 3, parley.ActivityViewing))
	})
}
