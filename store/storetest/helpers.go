package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

var uniq atomic.Int64

// next returns a number unique within the test binary, for names and ids.
func next() int64 { return uniq.Add(1) }

// MustCreateChannel creates a channel of the platform.
func MustCreateChannel(tb testing.TB, st parley.Store, p parley.Platform) *parley.Channel {
	tb.Helper()
	ch := &parley.Channel{Platform: p, Name: fmt.Sprintf("%s %d", p, next()), Config: map[string]string{"page_id": "1"}}
	if err := st.CreateChannel(context.Background(), ch); err != nil {
		tb.Fatalf("creating channel: %v", err)
	}
	return ch
}

// MustCreateAgent creates an agent with a role and teams.
func MustCreateAgent(tb testing.TB, st parley.Store, role parley.Role, teamIDs ...int64) *parley.Agent {
	tb.Helper()
	n := next()
	a := &parley.Agent{Email: fmt.Sprintf("Agent%d@Example.com", n), Name: fmt.Sprintf("Agent %d", n), Role: role, Active: true, TeamIDs: teamIDs}
	if err := st.CreateAgent(context.Background(), a); err != nil {
		tb.Fatalf("creating agent: %v", err)
	}
	return a
}

// MustCreateTeam creates a team with members.
func MustCreateTeam(tb testing.TB, st parley.Store, agentIDs ...int64) *parley.Team {
	tb.Helper()
	team := &parley.Team{Name: fmt.Sprintf("Team %d", next()), AgentIDs: agentIDs}
	if err := st.CreateTeam(context.Background(), team); err != nil {
		tb.Fatalf("creating team: %v", err)
	}
	return team
}

// base is the time test events happen around.
var base = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// MessageEvent is an inbound customer message from a Messenger-style,
// channel-scoped sender.
func MessageEvent(ch *parley.Channel, sender, externalID, text string, at time.Time) *parley.InboundEvent {
	return &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: ch.ID, Platform: ch.Platform, ExternalID: externalID,
		Sender:    parley.Sender{Kind: senderKind(ch.Platform), ID: sender, Name: "Customer " + sender, Verified: true},
		Direction: parley.DirectionIn, Timestamp: at, Text: text,
	}
}

func senderKind(p parley.Platform) parley.IdentityKind {
	switch p {
	case parley.PlatformWhatsApp:
		return parley.IdentityWhatsApp
	case parley.PlatformEmail:
		return parley.IdentityEmail
	case parley.PlatformInstagram:
		return parley.IdentityInstagram
	case parley.PlatformAPI:
		return parley.IdentityExternal
	}
	return parley.IdentityMessenger
}

// MustIngest ingests events and fails the test on error.
func MustIngest(tb testing.TB, st parley.Store, events ...*parley.InboundEvent) []parley.IngestResult {
	tb.Helper()
	res, err := st.Ingest(context.Background(), events)
	if err != nil {
		tb.Fatalf("ingest: %v", err)
	}
	if len(res) != len(events) {
		tb.Fatalf("ingest returned %d results for %d events", len(res), len(events))
	}
	return res
}

// MustConversation returns the ticket a single inbound message opens.
func MustConversation(tb testing.TB, st parley.Store, ch *parley.Channel, sender, text string) *parley.Conversation {
	tb.Helper()
	res := MustIngest(tb, st, MessageEvent(ch, sender, fmt.Sprintf("m-%d", next()), text, base))
	if res[0].Conversation == nil {
		tb.Fatal("ingest did not return a conversation")
	}
	return res[0].Conversation
}

func mustFindConversation(tb testing.TB, st parley.Store, id int64) *parley.Conversation {
	tb.Helper()
	c, err := st.FindConversationByID(context.Background(), id)
	if err != nil {
		tb.Fatalf("finding conversation %d: %v", id, err)
	}
	return c
}

func mustMessages(tb testing.TB, st parley.Store, convID int64) []*parley.Message {
	tb.Helper()
	msgs, _, err := st.FindMessages(context.Background(), parley.MessageFilter{ConversationID: convID, Page: parley.Page{Limit: parley.MaxPageLimit}})
	if err != nil {
		tb.Fatalf("finding messages: %v", err)
	}
	return msgs
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := parley.ErrorCode(err); got != code {
		tb.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func ptr[T any](v T) *T { return &v }
