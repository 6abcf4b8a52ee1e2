package e2e

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// waitMeta waits until the ticket's first message has metadata key k.
func (n *node) waitMeta(tb testing.TB, convID int64, k string) *parley.Message {
	tb.Helper()
	var m *parley.Message
	n.waitFor(tb, "metadata "+k+" on the comment", func() bool {
		msgs := n.messages(tb, convID)
		if len(msgs) == 0 {
			return false
		}
		m = msgs[0]
		return m.Metadata[k] != ""
	})
	return m
}

// gets lists the fake's GET requests on path.
func (n *node) gets(path string) []string {
	var out []string
	for _, r := range n.fake.Requests() {
		if r.Method == "GET" && r.Path == path {
			out = append(out, r.Query.Get("fields")+" "+string(r.Answer))
		}
	}
	return out
}

// TestCommentPostContextIsFetched: a Page feed webhook carries no post
// text and Instagram's only the media id; Parley asks the Graph API for
// them after the ticket is in, and stores them on the comment. A post the
// API cannot return leaves the ticket without context, and nothing else.
func TestCommentPostContextIsFetched(t *testing.T) {
	n := mustStartNode(t)
	t.Run("facebook post", func(t *testing.T) {
		post := n.demo.PageID + "_777"
		n.fake.SetPost(n.demo.PageID, post, "Our spring collection is here!", "https://www.facebook.com/"+post)
		if _, err := n.fake.Comment(n.demo.PageID, post, "", "7100000000000101", "Ana Lima", "Is the blue one cotton?"); err != nil {
			t.Fatal(err)
		}
		conv := n.mustTicket(t, parley.PlatformFacebookComments, "7100000000000101")
		m := n.waitMeta(t, conv.ID, "post_text")
		if m.Metadata["post_text"] != "Our spring collection is here!" || m.Metadata["post_link"] != "https://www.facebook.com/"+post {
			t.Errorf("context %q / %q", m.Metadata["post_text"], m.Metadata["post_link"])
		}
		if got := n.gets("/" + post); len(got) != 1 || !strings.HasPrefix(got[0], "message,permalink_url ") {
			t.Errorf("Graph calls for the post: %q", got)
		}
	})
	t.Run("instagram media", func(t *testing.T) {
		const media = "17900000000000077"
		n.fake.SetPost(n.demo.InstagramID, media, "New drop: linen shirts", "https://www.instagram.com/p/DEMO77/")
		if _, err := n.fake.InstagramComment(n.demo.InstagramID, media, "", "5310000000000101", "rui.costa", "Price?"); err != nil {
			t.Fatal(err)
		}
		conv := n.mustTicket(t, parley.PlatformInstagram, "5310000000000101")
		m := n.waitMeta(t, conv.ID, "post_link")
		if m.Metadata["post_text"] != "New drop: linen shirts" || m.Metadata["post_link"] != "https://www.instagram.com/p/DEMO77/" {
			t.Errorf("context %q / %q", m.Metadata["post_text"], m.Metadata["post_link"])
		}
		if got := n.gets("/" + media); len(got) != 1 || !strings.HasPrefix(got[0], "caption,permalink ") {
			t.Errorf("Graph calls for the media: %q", got)
		}
	})
	t.Run("a post the API does not return leaves the ticket without context", func(t *testing.T) {
		post := n.demo.PageID + "_404"
		if _, err := n.fake.Comment(n.demo.PageID, post, "", "7100000000000102", "Bo Chen", "Hello?"); err != nil {
			t.Fatal(err)
		}
		conv := n.mustTicket(t, parley.PlatformFacebookComments, "7100000000000102")
		n.waitFor(t, "the attempt to fetch the post", func() bool { return len(n.gets("/"+post)) > 0 })
		msgs := n.messages(t, conv.ID)
		if len(msgs) != 1 || msgs[0].Body != "Hello?" || msgs[0].Metadata["post_text"] != "" {
			t.Fatalf("ticket thread = %+v", msgs)
		}
	})
}
