package comments_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
	"github.com/parleyhq/parley/channel/meta/internal/metakit"
)

func TestFetchContextAsksForThePostOfATopLevelComment(t *testing.T) {
	f := faketest.MustStart(t, fake.Config{AppSecret: metakit.AppSecret})
	f.AddPage(pageID, "kit-token")
	f.SetPost(pageID, postID, "Spring is here", "https://www.facebook.com/"+postID)
	a := MustAdapter(t, f.URL)
	comment := func(meta map[string]string) *parley.Message {
		return &parley.Message{Direction: parley.DirectionIn, Metadata: meta}
	}
	top := map[string]string{"comment_id": "555_1", "post_id": postID, "parent_id": postID, "action": "add"}

	kv, err := a.FetchContext(context.Background(), comment(top))
	if err != nil || kv["post_text"] != "Spring is here" || kv["post_link"] != "https://www.facebook.com/"+postID {
		t.Fatalf("context %v, %v", kv, err)
	}
	calls := len(f.Requests())
	for name, meta := range map[string]map[string]string{
		"a reply":          {"comment_id": "555_2", "post_id": postID, "parent_id": "555_1", "action": "add"},
		"an edit":          {"comment_id": "555_1", "post_id": postID, "parent_id": postID, "action": "edited"},
		"context present":  {"comment_id": "555_1", "post_id": postID, "post_text": "t", "post_link": "l"},
		"not a comment":    {"post_id": postID},
		"without its post": {"comment_id": "555_1"},
	} {
		if kv, err := a.FetchContext(context.Background(), comment(meta)); kv != nil || err != nil {
			t.Errorf("%s: %v, %v", name, kv, err)
		}
	}
	if len(f.Requests()) != calls {
		t.Error("Graph called for a message that needs no context")
	}
	top["post_id"], top["parent_id"] = pageID+"_404", pageID+"_404"
	if _, err := a.FetchContext(context.Background(), comment(top)); err == nil {
		t.Error("an unknown post gave no error")
	}
}
