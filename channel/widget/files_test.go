package widget_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
)

// TestAgentFilesReachVisitorsBySignedLink: an agent's stored attachment is
// shown to the visitor at its signed public address, live and in the
// history after a reconnect; the agents' own address needs a session.
func TestAgentFilesReachVisitorsBySignedLink(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	s := e.MustSession(t, e.Channel, map[string]any{"name": "Mia"})
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	echo := v.MustSay(t, "files-0001", "Can I see the label?")

	m := &parley.Message{ConversationID: echo.Message.ConversationID, Direction: parley.DirectionOut, Kind: parley.KindText,
		AuthorAgentID: &e.Agent.ID, Attachments: []parley.Attachment{{Type: "image", ContentType: "image/png", Filename: "label.png",
			StorageKey: "0123456789abcdef0123456789abcdef", URL: parley.FilesPath + "0123456789abcdef0123456789abcdef"}}}
	if err := e.Store.CreateMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if err := e.Bus.PublishOutbound(context.Background(), m.ID, 0); err != nil {
		t.Fatal(err)
	}
	want := "https://signed.example/files/0123456789abcdef0123456789abcdef?sig=x"
	live := v.MustFrame(t, "the reply", func(f frame) bool { return f.Type == "message" && f.Message.ID == m.ID })
	if len(live.Message.Attachments) != 1 || live.Message.Attachments[0].URL != want {
		t.Fatalf("live attachment %+v", live.Message.Attachments)
	}
	again := e.MustConnect(t, e.Channel, s.Token, 0)
	old := again.MustFrame(t, "the reply in the history", func(f frame) bool { return f.Type == "message" && f.Message.ID == m.ID })
	if len(old.Message.Attachments) != 1 || old.Message.Attachments[0].URL != want {
		t.Fatalf("history attachment %+v", old.Message.Attachments)
	}
}
