package parley_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
)

func TestErrorCodeFollowsTheChain(t *testing.T) {
	err := fmt.Errorf("loading: %w", parley.Errorf(parley.ENOTFOUND, "conversation %d not found", 7))
	if got := parley.ErrorCode(err); got != parley.ENOTFOUND {
		t.Fatalf("code = %q", got)
	}
	if got := parley.ErrorMessage(err); got != "conversation 7 not found" {
		t.Fatalf("message = %q", got)
	}
	if got := parley.ErrorCode(errors.New("disk on fire")); got != parley.EINTERNAL {
		t.Fatalf("plain error code = %q", got)
	}
	if got := parley.ErrorMessage(errors.New("password=hunter2")); got != "internal error" {
		t.Fatalf("internal detail leaked: %q", got)
	}
	if parley.ErrorCode(nil) != "" {
		t.Fatal("nil error has a code")
	}
}

func TestReceiptsNeverMoveStatusBackwards(t *testing.T) {
	order := []parley.MessageStatus{parley.MessageQueued, parley.MessageSending, parley.MessageSent, parley.MessageDelivered, parley.MessageRead}
	for i := 1; i < len(order); i++ {
		if order[i].Rank() <= order[i-1].Rank() {
			t.Fatalf("%s does not rank above %s", order[i], order[i-1])
		}
	}
}

func TestAgentVisibility(t *testing.T) {
	team, other, me := int64(1), int64(2), int64(10)
	agent := &parley.Agent{ID: me, Role: parley.RoleAgent, TeamIDs: []int64{team}}
	cases := []struct {
		name string
		conv parley.Conversation
		want bool
	}{
		{"no team", parley.Conversation{}, true},
		{"my team", parley.Conversation{TeamID: &team}, true},
		{"other team", parley.Conversation{TeamID: &other}, false},
		{"other team but mine", parley.Conversation{TeamID: &other, AssigneeID: &me}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := agent.CanSee(&c.conv); got != c.want {
				t.Fatalf("CanSee = %v, want %v", got, c.want)
			}
		})
	}
	sup := &parley.Agent{ID: 3, Role: parley.RoleSupervisor}
	if !sup.CanSee(&parley.Conversation{TeamID: &other}) {
		t.Fatal("supervisor cannot see another team's ticket")
	}
}

func TestOnlyClosedTicketsStayClosed(t *testing.T) {
	for _, s := range []parley.Status{parley.StatusOpen, parley.StatusPending, parley.StatusSnoozed, parley.StatusResolved} {
		if !s.Active() {
			t.Errorf("%s should take new messages", s)
		}
	}
	if parley.StatusClosed.Active() {
		t.Error("closed ticket takes new messages")
	}
}
