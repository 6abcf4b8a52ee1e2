package e2e

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
)

// TestMessengerReadBeforeTheSendIsRecorded: the customer's read (a
// watermark, no ids) reaches Parley and is stored before the platform's
// answer to the send does; the reply still ends read once the sender
// records it.
func TestMessengerReadBeforeTheSendIsRecorded(t *testing.T) {
	const user, reply = "2470000000000002", "It ships tomorrow."
	var running atomic.Pointer[node]
	posted, release := make(chan error, 1), make(chan struct{})
	var once sync.Once
	holdReply := func(rec fake.Request) {
		n := running.Load()
		if n == nil || !strings.HasSuffix(rec.Path, "/messages") || !strings.Contains(string(rec.Body), reply) {
			return
		}
		once.Do(func() {
			posted <- n.fake.PostWebhook(n.demo.PageID, readAndThanks(n.demo.PageID, user))
			select { // the test releases the answer once the read is stored
			case <-release:
			case <-time.After(30 * time.Second):
			}
		})
	}
	n := mustStartNode(t, func(c *fake.Config) { c.AutoReceipts, c.BeforeAnswer = false, holdReply })
	running.Store(n)
	if _, err := n.fake.MessengerText(n.demo.PageID, user, "Where is my parcel?"); err != nil {
		t.Fatal(err)
	}
	conv := n.mustTicket(t, parley.PlatformMessenger, user)
	sent := n.reply(t, conv.ID, map[string]any{"body": reply})
	if err := <-posted; err != nil {
		close(release)
		t.Fatal(err)
	}
	// The customer's "Thanks!" came in the read's webhook: once it is in
	// the ticket, the read was ingested.
	n.waitFor(t, "the customer's thanks", func() bool {
		for _, m := range n.messages(t, conv.ID) {
			if m.Body == "Thanks!" {
				return true
			}
		}
		return false
	})
	if m := n.message(t, conv.ID, sent.ID); m.Status != parley.MessageSending || m.ExternalID != "" {
		close(release)
		t.Fatalf("the send was recorded before the read arrived: %s %q", m.Status, m.ExternalID)
	}
	close(release)
	n.waitStatus(t, conv.ID, sent.ID, parley.MessageRead)
}

// readAndThanks is one Messenger webhook: the customer reads everything
// up to now, then writes.
func readAndThanks(pageID, user string) []byte {
	now := time.Now().UnixMilli()
	return []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":%q,"time":%d,"messaging":[`+
		`{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"read":{"watermark":%d}},`+
		`{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":"m_in_thanks","text":"Thanks!"}}]}]}`,
		pageID, now, user, pageID, now, now, user, pageID, now+1))
}
