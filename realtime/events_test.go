package realtime_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/realtime"
)

const (
	teamA = int64(1)
	teamB = int64(2)
)

// team starts a node with Ana (team A), Ben (team B) and Sue (supervisor),
// each connected once.
type teamFixture struct {
	bus           *memBus
	node          *testNode
	ana, ben, sue *testClient
}

func newTeamFixture(t *testing.T, tune func(*realtime.Config)) *teamFixture {
	t.Helper()
	bus := newMemBus()
	dir := newAgentDirectory(
		agent(1, "Ana", parley.RoleAgent, teamA),
		agent(2, "Ben", parley.RoleAgent, teamB),
		agent(3, "Sue", parley.RoleSupervisor),
	)
	node := MustStartNode(t, bus, bus, dir, tune)
	return &teamFixture{bus: bus, node: node,
		ana: MustDial(t, node, 1), ben: MustDial(t, node, 2), sue: MustDial(t, node, 3)}
}

// received publishes a marker and returns the conversation ids each client
// got before it.
func (f *teamFixture) received(t *testing.T, marker int64) (ana, ben, sue []int64) {
	t.Helper()
	MustPublish(t, f.bus, markerEvent(marker))
	got := func(c *testClient) []int64 { return conversationIDs(c.Until(t, "marker", isMarker(marker))) }
	return got(f.ana), got(f.ben), got(f.sue)
}

func TestEventVisibility(t *testing.T) {
	f := newTeamFixture(t, nil)

	t.Run("a team's ticket reaches its team and supervisors only", func(t *testing.T) {
		MustPublish(t, f.bus, conversationEvent(parley.EventConversationCreated, 100, ptr(teamB), nil))
		ana, ben, sue := f.received(t, 1)
		if slices.Contains(ana, 100) {
			t.Errorf("Ana (team A) received team B's ticket 100")
		}
		if !slices.Contains(ben, 100) || !slices.Contains(sue, 100) {
			t.Errorf("Ben got %v, Sue got %v; both should get ticket 100", ben, sue)
		}
	})

	t.Run("a ticket of no team reaches every agent", func(t *testing.T) {
		MustPublish(t, f.bus, conversationEvent(parley.EventConversationCreated, 101, nil, nil))
		ana, ben, sue := f.received(t, 2)
		for name, got := range map[string][]int64{"Ana": ana, "Ben": ben, "Sue": sue} {
			if !slices.Equal(got, []int64{101}) {
				t.Errorf("%s got %v, want [101]", name, got)
			}
		}
	})

	t.Run("the assignee sees a ticket of another team", func(t *testing.T) {
		MustPublish(t, f.bus, conversationEvent(parley.EventConversationUpdated, 102, ptr(teamB), ptr(int64(1))))
		ana, _, _ := f.received(t, 3)
		if !slices.Equal(ana, []int64{102}) {
			t.Errorf("Ana got %v, want her assigned ticket 102", ana)
		}
	})

	t.Run("a message without its conversation reaches only supervisors", func(t *testing.T) {
		MustPublish(t, f.bus, &parley.Event{Type: parley.EventMessageCreated,
			Message: &parley.Message{ID: 9, ConversationID: 100}, At: time.Now()})
		MustPublish(t, f.bus, markerEvent(4))
		hasMessage := func(fs []frame) bool {
			return slices.ContainsFunc(fs, func(f frame) bool { return f.Message != nil && f.Message.ID == 9 })
		}
		if hasMessage(f.ana.Until(t, "marker", isMarker(4))) || hasMessage(f.ben.Until(t, "marker", isMarker(4))) {
			t.Errorf("an agent received a message whose ticket the hub could not check")
		}
		if !hasMessage(f.sue.Until(t, "marker", isMarker(4))) {
			t.Errorf("the supervisor did not receive the message")
		}
	})
}

func TestEventFrameShape(t *testing.T) {
	f := newTeamFixture(t, nil)
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	MustPublish(t, f.bus, &parley.Event{Type: parley.EventMessageCreated, At: at,
		Conversation: &parley.Conversation{ID: 103, Status: parley.StatusOpen, Version: 7},
		Message:      &parley.Message{ID: 10, ConversationID: 103, Body: "hola"}})
	var got frame
	f.ana.Until(t, "message 10", func(fr frame) bool { got = fr; return fr.Message != nil && fr.Message.ID == 10 })
	if got.Type != "message.created" || got.Conversation.Version != 7 || got.Message.Body != "hola" {
		t.Errorf("frame = %s, want the message.created event with its conversation and message", got)
	}
}

func TestAssignmentMovesVisibility(t *testing.T) {
	f := newTeamFixture(t, nil)
	MustPublish(t, f.bus, conversationEvent(parley.EventConversationCreated, 200, ptr(teamA), nil))
	ana, ben, _ := f.received(t, 1)
	if !slices.Equal(ana, []int64{200}) || len(ben) != 0 {
		t.Fatalf("before: Ana got %v, Ben got %v; want only Ana to get 200", ana, ben)
	}

	t.Run("the reassignment reaches the new assignee, not the old team", func(t *testing.T) {
		MustPublish(t, f.bus, conversationEvent(parley.EventConversationAssigned, 200, ptr(teamB), ptr(int64(2))))
		ana, ben, _ := f.received(t, 2)
		if len(ana) != 0 || !slices.Equal(ben, []int64{200}) {
			t.Errorf("Ana got %v, Ben got %v; want only Ben to get 200", ana, ben)
		}
	})

	t.Run("later events follow the ticket", func(t *testing.T) {
		e := conversationEvent(parley.EventMessageCreated, 200, ptr(teamB), ptr(int64(2)))
		e.Message = &parley.Message{ID: 1, ConversationID: 200}
		MustPublish(t, f.bus, e)
		ana, ben, sue := f.received(t, 3)
		if len(ana) != 0 || !slices.Equal(ben, []int64{200}) || !slices.Equal(sue, []int64{200}) {
			t.Errorf("Ana got %v, Ben %v, Sue %v; want Ben and Sue only", ana, ben, sue)
		}
	})
}

func TestAgentChanges(t *testing.T) {
	t.Run("RefreshAgent applies a team change at once", func(t *testing.T) {
		f := newTeamFixture(t, nil)
		f.node.Agents.Put(agent(1, "Ana", parley.RoleAgent, teamB))
		if err := f.node.Hub.RefreshAgent(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		MustPublish(t, f.bus, conversationEvent(parley.EventConversationCreated, 300, ptr(teamB), nil))
		MustPublish(t, f.bus, conversationEvent(parley.EventConversationCreated, 301, ptr(teamA), nil))
		ana, _, _ := f.received(t, 1)
		if !slices.Equal(ana, []int64{300}) {
			t.Errorf("Ana, moved to team B, got %v; want [300]", ana)
		}
	})

	t.Run("the periodic refresh catches up without being told", func(t *testing.T) {
		f := newTeamFixture(t, func(c *realtime.Config) { c.AgentRefresh = 20 * time.Millisecond })
		f.node.Agents.Put(agent(1, "Ana", parley.RoleSupervisor))
		for marker := int64(1); ; marker++ {
			MustPublish(t, f.bus, conversationEvent(parley.EventConversationCreated, 400, ptr(teamB), nil))
			if ana, _, _ := f.received(t, marker); slices.Contains(ana, 400) {
				return
			}
			if marker > 200 {
				t.Fatal("Ana, promoted to supervisor, never received team B's tickets")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})

	t.Run("a deactivated agent is disconnected", func(t *testing.T) {
		f := newTeamFixture(t, nil)
		deactivated := agent(2, "Ben", parley.RoleAgent, teamB)
		deactivated.Active = false
		f.node.Agents.Put(deactivated)
		if err := f.node.Hub.RefreshAgent(context.Background(), 2); err != nil {
			t.Fatal(err)
		}
		if got := f.ben.Ended(t); got != websocket.StatusPolicyViolation {
			t.Errorf("close status = %v, want policy violation", got)
		}
		MustPublish(t, f.bus, markerEvent(1))
		f.ana.Until(t, "marker", isMarker(1)) // the others carry on
	})
}
