package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
)

// testMessageContext: context fetched after ingestion is added to a
// message without overwriting what the webhook said.
func testMessageContext(t *testing.T, open Opener) {
	st := open(t)
	svc, ok := st.(parley.MessageContextService)
	if !ok {
		t.Fatalf("%T does not add message context", st)
	}
	ctx := context.Background()
	ch := MustCreateChannel(t, st, parley.PlatformFacebookComments)
	ev := MessageEvent(ch, "c-1", fmt.Sprintf("m-%d", next()), "Is it cotton?", base)
	ev.Metadata = map[string]string{"post_id": "1_2", "post_link": "https://www.facebook.com/1_2"}
	res := MustIngest(t, st, ev)
	id := res[0].Message.ID

	m, err := svc.AddMessageMetadata(ctx, id, map[string]string{"post_text": "Spring collection", "post_link": "https://elsewhere.example/2", "empty": ""})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"post_id": "1_2", "post_link": "https://www.facebook.com/1_2", "post_text": "Spring collection"}
	for _, got := range []*parley.Message{m, mustMessages(t, st, res[0].Conversation.ID)[0]} {
		if len(got.Metadata) != len(want) {
			t.Errorf("metadata %v, want %v", got.Metadata, want)
		}
		for k, v := range want {
			if got.Metadata[k] != v {
				t.Errorf("metadata %s = %q, want %q", k, got.Metadata[k], v)
			}
		}
	}
	_, err = svc.AddMessageMetadata(ctx, id+1000, map[string]string{"post_text": "x"})
	wantCode(t, err, parley.ENOTFOUND)
}
