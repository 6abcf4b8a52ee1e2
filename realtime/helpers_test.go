package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/realtime"
)

// waitFor bounds every wait in these tests; a frame that does not come in
// this long is a failure, not a slow machine.
const waitFor = 10 * time.Second

// fakeClock is a clock the test moves by hand, so that expiry is tested
// without sleeping through it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// agentDirectory is the agents the test's HTTP layer authenticates and the
// hub reloads; tests change it to move agents between teams.
type agentDirectory struct {
	mu     sync.Mutex
	agents map[int64]*parley.Agent
}

func newAgentDirectory(agents ...*parley.Agent) *agentDirectory {
	d := &agentDirectory{agents: make(map[int64]*parley.Agent)}
	for _, a := range agents {
		d.Put(a)
	}
	return d
}

func (d *agentDirectory) Put(a *parley.Agent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	copied := *a
	d.agents[a.ID] = &copied
}

func (d *agentDirectory) FindAgentByID(_ context.Context, id int64) (*parley.Agent, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ok := d.agents[id]
	if !ok {
		return nil, parley.Errorf(parley.ENOTFOUND, "agent %d not found", id)
	}
	copied := *a
	copied.TeamIDs = append([]int64(nil), a.TeamIDs...)
	return &copied, nil
}

func agent(id int64, name string, role parley.Role, teams ...int64) *parley.Agent {
	return &parley.Agent{ID: id, Name: name, Role: role, Active: true, TeamIDs: teams}
}

// testNode is one app node: a hub behind a test HTTP server whose
// "authentication" is the agent id in the query string.
type testNode struct {
	Hub    *realtime.Hub
	Server *httptest.Server
	Agents *agentDirectory
	Clock  *fakeClock
}

// MustStartNode starts a hub on the given buses with test-friendly timings;
// tune adjusts the config before the hub is built.
func MustStartNode(tb testing.TB, events parley.EventSubscriber, presence parley.PresenceBus,
	agents *agentDirectory, tune func(*realtime.Config)) *testNode {
	tb.Helper()
	clock := newFakeClock()
	cfg := realtime.Config{
		Events:        events,
		Presence:      presence,
		Agents:        agents,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Clock:         clock,
		SweepInterval: 10 * time.Millisecond,
		AgentRefresh:  time.Hour, // tests call RefreshAgent, or shorten it
	}
	if tune != nil {
		tune(&cfg)
	}
	hub, err := realtime.NewHub(cfg)
	if err != nil {
		tb.Fatalf("NewHub: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := hub.Start(ctx); err != nil {
		cancel()
		tb.Fatalf("Start: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.URL.Query().Get("agent"), 10, 64)
		a, err := agents.FindAgentByID(r.Context(), id)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		hub.ServeAgent(w, r, a)
	}))
	tb.Cleanup(func() {
		hub.Close()
		srv.Close()
		cancel()
	})
	return &testNode{Hub: hub, Server: srv, Agents: agents, Clock: clock}
}

// frame is any server frame, decoded loosely.
type frame struct {
	Type         string               `json:"type"`
	AgentID      int64                `json:"agent_id"`
	Conversation *parley.Conversation `json:"conversation"`
	Message      *parley.Message      `json:"message"`
	Channel      *parley.Channel      `json:"channel"`
	Presence     *parley.PresenceInfo `json:"presence"`
	Error        *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Raw string `json:"-"`
}

func (f frame) String() string { return f.Raw }

// testClient is an agent's browser: a real WebSocket client whose frames
// are read in the background into a channel.
type testClient struct {
	conn   *websocket.Conn
	frames chan frame
	ended  chan struct{}
	err    error // why reading ended; valid after ended is closed
}

// MustDial connects as an agent and checks the hello frame.
func MustDial(tb testing.TB, n *testNode, agentID int64) *testClient {
	tb.Helper()
	conn := MustDialRaw(tb, n, agentID)
	c := &testClient{conn: conn, frames: make(chan frame, 4096), ended: make(chan struct{})}
	go c.readAll()
	hello := c.Next(tb)
	if hello.Type != "hello" || hello.AgentID != agentID {
		tb.Fatalf("first frame = %s, want hello for agent %d", hello, agentID)
	}
	return c
}

// MustDialRaw connects as an agent and leaves reading to the caller.
func MustDialRaw(tb testing.TB, n *testNode, agentID int64) *websocket.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	url := strings.Replace(n.Server.URL, "http://", "ws://", 1) + "/ws?agent=" + strconv.FormatInt(agentID, 10)
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		tb.Fatalf("dial as agent %d: %v", agentID, err)
	}
	conn.SetReadLimit(1 << 20)
	tb.Cleanup(func() { _ = conn.CloseNow() })
	return conn
}

func (c *testClient) readAll() {
	defer close(c.ended)
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			c.err = err
			return
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			c.err = fmt.Errorf("server sent a frame that is not JSON: %q", data)
			return
		}
		f.Raw = string(data)
		c.frames <- f
	}
}

// Send writes one client frame.
func (c *testClient) Send(tb testing.TB, v any) {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	c.SendRaw(tb, data)
}

func (c *testClient) SendRaw(tb testing.TB, data []byte) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, data); err != nil {
		tb.Fatalf("send %s: %v", data, err)
	}
}

func (c *testClient) View(tb testing.TB, conversationID int64) {
	tb.Helper()
	c.Send(tb, map[string]any{"type": "viewing", "conversation_id": conversationID})
}

func (c *testClient) Type(tb testing.TB, conversationID int64) {
	tb.Helper()
	c.Send(tb, map[string]any{"type": "typing", "conversation_id": conversationID})
}

// Sync waits until the hub has handled every frame this client sent before:
// the hub answers a ping after the frames before it. It returns the frames
// received meanwhile.
func (c *testClient) Sync(tb testing.TB) []frame {
	tb.Helper()
	c.Send(tb, map[string]string{"type": "ping"})
	return c.Until(tb, "pong", isType("pong"))
}

// Next returns the next frame, failing the test if none comes in time.
func (c *testClient) Next(tb testing.TB) frame {
	tb.Helper()
	select {
	case f := <-c.frames:
		return f
	case <-c.ended:
		select {
		case f := <-c.frames:
			return f
		default:
		}
		tb.Fatalf("connection ended while waiting for a frame: %v", c.err)
	case <-time.After(waitFor):
		tb.Fatalf("no frame within %s", waitFor)
	}
	return frame{}
}

// Until reads frames until one matches and returns the frames before it.
func (c *testClient) Until(tb testing.TB, what string, match func(frame) bool) (before []frame) {
	tb.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		f := c.Next(tb)
		if match(f) {
			return before
		}
		before = append(before, f)
	}
	tb.Fatalf("never received %s; got %v", what, before)
	return nil
}

// Ended waits for the server to close the connection and returns the close
// status (-1 if it ended without one).
func (c *testClient) Ended(tb testing.TB) websocket.StatusCode {
	tb.Helper()
	select {
	case <-c.ended:
		return websocket.CloseStatus(c.err)
	case <-time.After(waitFor):
		tb.Fatalf("connection still open after %s", waitFor)
	}
	return 0
}

// Close closes the client side normally.
func (c *testClient) Close() {
	_ = c.conn.Close(websocket.StatusNormalClosure, "bye")
}

func isType(t string) func(frame) bool { return func(f frame) bool { return f.Type == t } }

// isMarker matches the channel.updated event the tests publish after the
// events under test: every agent sees it, so anything a client was going to
// receive before it has arrived by then.
func isMarker(id int64) func(frame) bool {
	return func(f frame) bool { return f.Type == "channel.updated" && f.Channel != nil && f.Channel.ID == id }
}

func markerEvent(id int64) *parley.Event {
	return &parley.Event{Type: parley.EventChannelUpdated, Channel: &parley.Channel{ID: id, Name: "marker"}, At: time.Now()}
}

func conversationEvent(t parley.EventType, id int64, team, assignee *int64) *parley.Event {
	return &parley.Event{Type: t, Conversation: &parley.Conversation{ID: id, Status: parley.StatusOpen,
		TeamID: team, AssigneeID: assignee}, At: time.Now()}
}

func ptr[T any](v T) *T { return &v }

// conversationIDs lists the conversations of the conversation events in fs.
func conversationIDs(fs []frame) []int64 {
	var ids []int64
	for _, f := range fs {
		if f.Conversation != nil {
			ids = append(ids, f.Conversation.ID)
		}
	}
	return ids
}

// waitUntil polls cond until it holds, failing the test after waitFor.
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func MustPublish(tb testing.TB, p parley.EventPublisher, e *parley.Event) {
	tb.Helper()
	if err := p.PublishEvent(context.Background(), e); err != nil {
		tb.Fatalf("publish %s: %v", e.Type, err)
	}
}
