package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
)

// TestPrivateReplyToAComment: on a Facebook comment thread the agent picks
// "Reply privately (Messenger)"; the reply goes to Meta's Send API with
// recipient.comment_id, not as a public comment, and afterwards the private
// choice is disabled because Meta allows one private reply per comment.
func TestPrivateReplyToAComment(t *testing.T) {
	const pageID, token, commentID, fromID = "4410", "page-token", "4410_post1_c1", "9001"
	graph := fake.New(fake.Config{})
	if err := graph.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = graph.Close() })
	graph.AddPage(pageID, token)
	graph.AddComment(pageID, commentID, fromID, time.Now().Add(-time.Hour))

	n := MustStartNode(t, true)
	n.MustSeed(t)
	var fb parley.Channel
	n.Do(t, "POST", "/api/v1/channels", map[string]any{"platform": "facebook_comments", "name": "Page comments",
		"config":  map[string]string{"page_id": pageID, "graph_base_url": graph.URL},
		"secrets": map[string]string{"access_token": token, "app_secret": "fb-app-secret", "verify_token": "fb-verify"}}, &fb)
	if _, err := n.App.Store.Ingest(t.Context(), []*parley.InboundEvent{{Kind: parley.InboundMessage, ChannelID: fb.ID, Platform: parley.PlatformFacebookComments,
		ExternalID: commentID, ThreadKey: commentID, Direction: parley.DirectionIn, Timestamp: time.Now().Add(-time.Hour), Text: "Do you ship to Lisbon?",
		Metadata: map[string]string{"comment_id": commentID}, Sender: parley.Sender{Kind: parley.IdentityFacebook, ID: fromID, Name: "Inês Duarte"}}}); err != nil {
		t.Fatal(err)
	}
	conv := n.MustWaitConversations(t, 1)[0]
	ctx := MustBrowser(t, 1280, 800)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)

	run(t, ctx, "reply privately",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, conv.ID)),
		chromedp.WaitVisible(chromedp.CSS(`.reply-mode input[value=private]:not([disabled])`)),
		chromedp.Click(chromedp.CSS(`.reply-mode input[value=private]`)),
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "Yes, I've sent you the rates."),
		chromedp.Click(chromedp.CSS(`.composer .btn.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.reply-mode input[value=private][disabled]`)),
	)
	assertNamedControls(t, ctx, "comment composer")
	var sent *fake.Request
	for sent == nil {
		for _, r := range graph.Requests() {
			if r.Method == "POST" && strings.Contains(string(r.Body), "Yes, I've sent you the rates.") {
				sent = &r
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if sent.Path != "/"+pageID+"/messages" || !strings.Contains(string(sent.Body), `"comment_id":"`+commentID+`"`) {
		t.Fatalf("reply went to %s with %s, want a private reply to comment %s", sent.Path, sent.Body, commentID)
	}
	why := get(t, ctx, "reason", chromedp.Text(chromedp.CSS(`.reply-mode-why`)))
	if !strings.Contains(why, "already sent") {
		t.Errorf("private disabled with %q, want the one-private-reply reason", why)
	}
}
