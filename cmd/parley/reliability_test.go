package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const (
	testAdmin    = "admin@example.com"
	testPassword = "correct horse battery"
	testKey      = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

func adminEnv(extra ...string) []string {
	return append([]string{"PARLEY_ADMIN_EMAIL=" + testAdmin, "PARLEY_ADMIN_PASSWORD=" + testPassword,
		"PARLEY_SECRET_KEY=" + testKey}, extra...)
}

// TestKillNineLosesNoAcknowledgedMessage posts a burst of signed webhooks,
// retrying every one not answered 200 (as Meta does), while the server is
// killed with SIGKILL twice and restarted. Afterwards every message must be
// stored exactly once.
func TestKillNineLosesNoAcknowledgedMessage(t *testing.T) {
	engines := map[string]func(t *testing.T) []string{
		"sqlite":   func(t *testing.T) []string { return adminEnv() },
		"postgres": func(t *testing.T) []string { return adminEnv("PARLEY_DATABASE=" + postgresDSN(t)) },
	}
	for name, env := range engines {
		t.Run(name, func(t *testing.T) { killNineScenario(t, env(t)) })
	}
}

func killNineScenario(t *testing.T, env []string) {
	dir := t.TempDir()
	n := startNode(t, dir, env...)
	secret := "reliability-secret"
	chID := signIn(t, n.base, testAdmin, testPassword).createAPIChannel(secret, "")

	const total, contacts, workers = 600, 25, 12
	var base atomic.Value
	base.Store(n.base)
	var acked atomic.Int64
	ids := make(chan int, total)
	for i := range total {
		ids <- i
	}
	close(ids)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				body := inboundBody(fmt.Sprintf("burst-%d", i), fmt.Sprintf("c%d", i%contacts), fmt.Sprintf("message %d", i))
				for postInbound(base.Load().(string), chID, secret, body) != http.StatusOK {
					time.Sleep(50 * time.Millisecond) // server down or unavailable: retry
				}
				acked.Add(1)
			}
		}()
	}
	for _, at := range []int64{total / 3, 2 * total / 3} {
		waitFor(t, 60*time.Second, func() bool { return acked.Load() >= at })
		n.kill()
		n = startNode(t, dir, env...)
		base.Store(n.base)
	}
	wg.Wait()

	c := signIn(t, n.base, testAdmin, testPassword)
	var seen map[string]int
	waitFor(t, 60*time.Second, func() bool {
		seen = inboundMessages(t, c, chID)
		return len(seen) >= total
	})
	for i := range total {
		id := fmt.Sprintf("burst-%d", i)
		if seen[id] != 1 {
			t.Errorf("message %s stored %d times", id, seen[id])
		}
	}
	if len(seen) != total {
		t.Errorf("stored %d distinct messages, want %d", len(seen), total)
	}
	if err := n.stop(); err != nil {
		t.Errorf("SIGTERM: %v", err)
	}
}

// inboundMessages counts the inbound messages of a channel by external id,
// reading every ticket's thread through the API.
func inboundMessages(t testing.TB, c *apiClient, channelID int64) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, conv := range listAll[struct {
		ID int64 `json:"id"`
	}](t, c, fmt.Sprintf("/api/v1/conversations?view=all&channel_id=%d", channelID)) {
		for _, m := range listAll[struct {
			ExternalID string `json:"external_id"`
			Direction  string `json:"direction"`
		}](t, c, fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID)) {
			if m.Direction == "in" {
				seen[m.ExternalID]++
			}
		}
	}
	return seen
}

func listAll[T any](t testing.TB, c *apiClient, path string) []T {
	t.Helper()
	var all []T
	cursor := ""
	for {
		var page struct {
			Items      []T    `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		c.mustDo("GET", path+sep+"limit=200&cursor="+cursor, nil, &page)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

func waitFor(t testing.TB, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTwoNodesShareOneDatabaseAndBus runs two nodes on one PostgreSQL and
// the machine's NATS: an agent on node A sees messages that arrive at node
// B, and replies sent through either node leave exactly once.
func TestTwoNodesShareOneDatabaseAndBus(t *testing.T) {
	env := adminEnv("PARLEY_DATABASE="+postgresDSN(t), "PARLEY_NATS="+natsURL(t),
		fmt.Sprintf("PARLEY_NATS_PREFIX=e2e%d", time.Now().UnixNano()))
	recv := newWebhookReceiver(t, "two-node-secret")
	a := startNode(t, t.TempDir(), env...)
	b := startNode(t, t.TempDir(), env...)
	ca, cb := signIn(t, a.base, testAdmin, testPassword), signIn(t, b.base, testAdmin, testPassword)
	chID := ca.createAPIChannel("two-node-secret", recv.url)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	got := watchMessages(ctx, t, ca)
	const inbound = 40
	for i := range inbound {
		body := inboundBody(fmt.Sprintf("nodeB-%d", i), fmt.Sprintf("c%d", i%8), "hello from B")
		if s := postInbound(b.base, chID, "two-node-secret", body); s != http.StatusOK {
			t.Fatalf("webhook %d answered %d", i, s)
		}
	}
	waitFor(t, 30*time.Second, func() bool { return got.count("nodeB-") == inbound })

	convs := listAll[struct {
		ID int64 `json:"id"`
	}](t, ca, fmt.Sprintf("/api/v1/conversations?view=all&channel_id=%d", chID))
	const replies = 24
	for i := range replies {
		c := []*apiClient{ca, cb}[i%2]
		c.mustDo("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convs[i%len(convs)].ID),
			map[string]string{"body": fmt.Sprintf("reply %d", i), "kind": "text"}, nil)
	}
	waitFor(t, 30*time.Second, func() bool { return recv.distinct() == replies })
	time.Sleep(2 * time.Second) // give a duplicate send time to show up
	if d, n := recv.distinct(), recv.total(); d != replies || n != replies {
		t.Fatalf("receiver got %d deliveries of %d distinct replies, want exactly %d", n, d, replies)
	}
}

// messageWatch records message.created frames seen on an agent socket.
type messageWatch struct {
	mu  sync.Mutex
	ids map[string]int
}

func (w *messageWatch) count(prefix string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for id := range w.ids {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n
}

func watchMessages(ctx context.Context, t *testing.T, c *apiClient) *messageWatch {
	t.Helper()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.base, "http")+"/api/v1/ws", &websocket.DialOptions{HTTPClient: c.hc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	w := &messageWatch{ids: map[string]int{}}
	hello := make(chan struct{})
	go func() {
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var f struct {
				Type    string `json:"type"`
				Message *struct {
					ExternalID string `json:"external_id"`
				} `json:"message"`
			}
			if json.Unmarshal(b, &f) != nil {
				continue
			}
			if f.Type == "hello" {
				close(hello)
			}
			if f.Type == "message.created" && f.Message != nil {
				w.mu.Lock()
				w.ids[f.Message.ExternalID]++
				w.mu.Unlock()
			}
		}
	}()
	select {
	case <-hello:
	case <-time.After(10 * time.Second):
		t.Fatal("no hello on the agent socket")
	}
	return w
}

// webhookReceiver plays the API channel's customer system: it verifies
// each delivery's signature from the spec and counts deliveries by id.
type webhookReceiver struct {
	url        string
	mu         sync.Mutex
	deliveries map[string]int
}

func newWebhookReceiver(t *testing.T, secret string) *webhookReceiver {
	r := &webhookReceiver{deliveries: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(req.Header.Get("X-Parley-Timestamp") + "." + string(body)))
		if !hmac.Equal([]byte(req.Header.Get("X-Parley-Signature")), []byte("sha256="+hex.EncodeToString(mac.Sum(nil)))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(body, &ev)
		if ev.Type == "message.created" {
			r.mu.Lock()
			r.deliveries[req.Header.Get("X-Parley-Delivery")]++
			r.mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *webhookReceiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.deliveries)
}

func (r *webhookReceiver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.deliveries {
		n += c
	}
	return n
}
