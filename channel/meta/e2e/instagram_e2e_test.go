package e2e

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// TestInstagramDirectRoundTrip: a customer writes in Instagram Direct (a
// signed webhook), the ticket appears, the agent's reply reaches the Send
// API, and Instagram's delivery and read receipts move it to read.
func TestInstagramDirectRoundTrip(t *testing.T) {
	n := mustStartNode(t)
	const user = "5310000000000001"
	mid, err := n.fake.MessengerText(n.demo.InstagramID, user, "Is the green jacket back in stock?")
	if err != nil {
		t.Fatal(err)
	}
	conv := n.mustTicket(t, parley.PlatformInstagram, user)
	msgs := n.messages(t, conv.ID)
	if len(msgs) != 1 || msgs[0].ExternalID != mid || msgs[0].Direction != parley.DirectionIn || msgs[0].Body != "Is the green jacket back in stock?" {
		t.Fatalf("ticket thread = %+v", msgs)
	}
	if conv.ThreadKey != "" {
		t.Errorf("a direct message opened a comment thread %q", conv.ThreadKey)
	}
	sent := n.reply(t, conv.ID, map[string]any{"body": "Yes, since this morning."})
	read := n.waitStatus(t, conv.ID, sent.ID, parley.MessageRead)
	got := n.sends("/me/messages", "Yes, since this morning.")
	if len(got) != 1 || got[0].Status != 200 {
		t.Fatalf("the Send API received %d sends of the reply: %+v", len(got), got)
	}
	if !strings.Contains(string(got[0].Body), user) {
		t.Errorf("the reply went to %s, not to the customer %s", got[0].Body, user)
	}
	if read.ExternalID == "" || !strings.Contains(string(got[0].Answer), read.ExternalID) {
		t.Errorf("stored external id %q is not the platform's answer %s", read.ExternalID, got[0].Answer)
	}
}

// TestInstagramCommentPublicReply: a comment on Instagram media becomes a
// ticket of its own carrying the media, and the agent's public reply
// reaches Instagram as a reply to that comment.
func TestInstagramCommentPublicReply(t *testing.T) {
	n := mustStartNode(t)
	const user, media = "5310000000000002", "17900000000000042"
	commentID, err := n.fake.InstagramComment(n.demo.InstagramID, media, "", user, "bo.chen", "What size is the model wearing?")
	if err != nil {
		t.Fatal(err)
	}
	conv := n.mustTicket(t, parley.PlatformInstagram, user)
	if conv.ThreadKey != commentID {
		t.Errorf("thread key %q, want the comment %q", conv.ThreadKey, commentID)
	}
	msgs := n.messages(t, conv.ID)
	if len(msgs) != 1 || msgs[0].Body != "What size is the model wearing?" || msgs[0].Metadata["media_id"] != media {
		t.Fatalf("ticket thread = %+v", msgs)
	}
	pub := n.reply(t, conv.ID, map[string]any{"body": "She wears an S.", "metadata": map[string]string{"reply_mode": "public"}})
	sent := n.waitStatus(t, conv.ID, pub.ID, parley.MessageSent)
	got := n.sends("/"+commentID+"/replies", "She wears an S.")
	if len(got) != 1 || got[0].Status != 200 {
		t.Fatalf("public replies = %+v", got)
	}
	if sent.ExternalID == "" || !strings.Contains(string(got[0].Answer), sent.ExternalID) {
		t.Errorf("stored external id %q is not the new comment %s", sent.ExternalID, got[0].Answer)
	}
	if dms := n.sends("/me/messages", "She wears an S."); len(dms) != 0 {
		t.Errorf("the public reply also went as a direct message: %+v", dms)
	}
}
