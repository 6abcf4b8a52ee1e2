package widget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/email"
	"github.com/parleyhq/parley/channel/widget"
	"github.com/parleyhq/parley/filestore"
	"github.com/parleyhq/parley/pipeline"
	"github.com/parleyhq/parley/store"
)

const testSecret = "test-identity-secret-0123456789"

// env is one Parley node's widget path: a real SQLite store, an embedded
// NATS JetStream bus, the inbound processor and outbound sender consuming
// it, and the widget handler behind an httptest server.
type env struct {
	Store   *store.Store
	Bus     *bus.Bus
	Handler *widget.Handler
	Server  *httptest.Server
	Channel *parley.Channel
	Agent   *parley.Agent
	Files   *filestore.Disk
	DataDir string
}

// MustEnv starts the whole path on SQLite; limits of zero take the
// defaults.
func MustEnv(tb testing.TB, limits widget.Limits, config map[string]string) *env {
	tb.Helper()
	return MustEnvOn(tb, "sqlite:"+filepath.Join(tb.TempDir(), "p.db"), limits, config)
}

// MustEnvOn is MustEnv on the database at dsn.
func MustEnvOn(tb testing.TB, dsn string, limits widget.Limits, config map[string]string) *env {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	dir := tb.TempDir()
	st, err := store.Open(ctx, store.Config{DSN: dsn, SecretKey: make([]byte, 32)})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	b := bustest.MustOpen(tb, bus.Config{DataDir: filepath.Join(dir, "nats"), NodeID: "test"})
	files, err := filestore.OpenDisk(filepath.Join(dir, "files"))
	if err != nil {
		tb.Fatalf("open file store: %v", err)
	}
	e := &env{Store: st, Bus: b, Files: files, DataDir: dir}
	e.Channel = MustWidgetChannel(tb, st, config)
	e.Agent = &parley.Agent{Email: "ana@example.com", Name: "Ana", Role: parley.RoleAdmin, Active: true, Language: "en"}
	if err := st.CreateAgent(ctx, e.Agent); err != nil {
		tb.Fatalf("create agent: %v", err)
	}
	quiet := slog.New(slog.DiscardHandler)
	adapters := channel.NewRegistry()
	e.Handler, err = widget.NewHandler(widget.Config{Store: st, Inbound: b, Events: b, Presence: b, Adapters: adapters,
		Files: e.Files, LegacyFilesDir: filepath.Join(dir, "files"), Logger: quiet, Limits: limits, FileURL: func(key string) string { return "https://signed.example/files/" + key + "?sig=x" }})
	if err != nil {
		tb.Fatalf("new handler: %v", err)
	}
	adapters.Register(parley.PlatformWidget, e.Handler.NewAdapter)
	adapters.Register(parley.PlatformEmail, email.New)
	proc := &pipeline.Processor{Store: st, Events: b, Logger: quiet}
	media := &pipeline.MediaWorker{Store: st, Files: files, Adapters: adapters, Events: b, Logger: quiet}
	send := &pipeline.Sender{Store: st, Adapters: adapters, Events: b, Outbound: b, Logger: quiet}
	if err := b.ConsumeInbound(ctx, 64, proc.Handle); err != nil {
		tb.Fatalf("consume inbound: %v", err)
	}
	if err := b.ConsumeOutbound(ctx, send.Handle); err != nil {
		tb.Fatalf("consume outbound: %v", err)
	}
	if err := b.ConsumeEventsOf(ctx, "media", []parley.EventType{parley.EventMessageCreated}, media.Handle); err != nil {
		tb.Fatalf("consume media: %v", err)
	}
	if err := e.Handler.Start(ctx); err != nil {
		tb.Fatalf("start handler: %v", err)
	}
	e.Server = httptest.NewServer(e.Handler)
	tb.Cleanup(func() { e.Handler.Close(); e.Server.Close() })
	return e
}

// MustWidgetChannel creates an active widget channel.
func MustWidgetChannel(tb testing.TB, st *store.Store, config map[string]string) *parley.Channel {
	tb.Helper()
	ch := &parley.Channel{Platform: parley.PlatformWidget, Name: "Website", Status: parley.ChannelActive,
		Config: config, Secrets: map[string]string{widget.SecretIdentity: testSecret}}
	if err := st.CreateChannel(context.Background(), ch); err != nil {
		tb.Fatalf("create channel: %v", err)
	}
	return ch
}

// call makes an HTTP request to the widget and decodes a JSON answer.
func (e *env) call(tb testing.TB, method, path string, body any, out any) int {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, e.Server.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	if out != nil {
		data, _ := io.ReadAll(res.Body)
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("%s %s: status %d, undecodable %q", method, path, res.StatusCode, data)
		}
	}
	return res.StatusCode
}

type sessionResp struct {
	Token   string `json:"token"`
	Visitor struct {
		Name       string `json:"name"`
		Email      string `json:"email"`
		Identified bool   `json:"identified"`
	} `json:"visitor"`
	Error *struct{ Code, Message string } `json:"error"`
}

// MustSession starts a visitor session on ch with the given request.
func (e *env) MustSession(tb testing.TB, ch *parley.Channel, req map[string]any) sessionResp {
	tb.Helper()
	var s sessionResp
	if status := e.call(tb, "POST", sessionPath(ch), req, &s); status != http.StatusOK || s.Token == "" {
		tb.Fatalf("session: status %d %+v", status, s.Error)
	}
	return s
}

func sessionPath(ch *parley.Channel) string {
	return "/widget/v1/channels/" + itoa(ch.ID) + "/session"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// contactOf returns the contact a visitor token speaks for (via the
// store, by the token's visitor identity).
func (e *env) contactOf(tb testing.TB, conv *parley.Conversation) *parley.Contact {
	tb.Helper()
	c, err := e.Store.FindContactByID(context.Background(), conv.ContactID)
	if err != nil {
		tb.Fatalf("find contact: %v", err)
	}
	return c
}

// frame is a server frame as a visitor receives it.
type frame struct {
	Type     string `json:"type"`
	ClientID string `json:"client_id"`
	LastID   int64  `json:"last_id"`
	Name     string `json:"name"`
	Activity string `json:"activity"`
	Online   *bool  `json:"online"`
	Message  *struct {
		ID             int64  `json:"id"`
		ConversationID int64  `json:"conversation_id"`
		Direction      string `json:"direction"`
		Body           string `json:"body"`
		Status         string `json:"status"`
		Author         string `json:"author"`
		ClientID       string `json:"client_id"`
		Attachments    []struct {
			Type, URL, Filename string
		} `json:"attachments"`
	} `json:"message"`
	Error *struct{ Code, Message string } `json:"error"`
}

// visitorSocket is a visitor's WebSocket with its frames queued.
type visitorSocket struct {
	conn   *websocket.Conn
	frames chan frame
	closed chan websocket.StatusCode
}

// MustConnect opens a visitor socket and says hello.
func (e *env) MustConnect(tb testing.TB, ch *parley.Channel, token string, after int64) *visitorSocket {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(e.Server.URL, "http") + "/widget/v1/channels/" + itoa(ch.ID) + "/ws"
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	v := &visitorSocket{conn: conn, frames: make(chan frame, 1000), closed: make(chan websocket.StatusCode, 1)}
	go v.read()
	tb.Cleanup(func() { conn.CloseNow() })
	v.send(tb, map[string]any{"type": "hello", "token": token, "after": after})
	return v
}

func (v *visitorSocket) read() {
	for {
		_, data, err := v.conn.Read(context.Background())
		if err != nil {
			v.closed <- websocket.CloseStatus(err)
			close(v.frames)
			return
		}
		var f frame
		if json.Unmarshal(data, &f) == nil {
			v.frames <- f
		}
	}
}

func (v *visitorSocket) send(tb testing.TB, f map[string]any) {
	tb.Helper()
	data, _ := json.Marshal(f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := v.conn.Write(ctx, websocket.MessageText, data); err != nil {
		tb.Fatalf("write frame: %v", err)
	}
}

// MustFrame waits for the first frame that matches, skipping others.
func (v *visitorSocket) MustFrame(tb testing.TB, what string, match func(frame) bool) frame {
	tb.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case f, ok := <-v.frames:
			if !ok {
				tb.Fatalf("socket closed while waiting for %s", what)
			}
			if match(f) {
				return f
			}
		case <-deadline:
			tb.Fatalf("timed out waiting for %s", what)
		}
	}
}

// collect gathers frames until one matches stop.
func (v *visitorSocket) collect(tb testing.TB, stop func(frame) bool) []frame {
	tb.Helper()
	var out []frame
	v.MustFrame(tb, "end of collection", func(f frame) bool {
		out = append(out, f)
		return stop(f)
	})
	return out
}

func isType(t string) func(frame) bool { return func(f frame) bool { return f.Type == t } }

// MustSay sends a visitor message and waits for its ack and its echo.
func (v *visitorSocket) MustSay(tb testing.TB, clientID, text string) frame {
	tb.Helper()
	v.send(tb, map[string]any{"type": "message", "client_id": clientID, "text": text})
	v.MustFrame(tb, "ack of "+clientID, func(f frame) bool {
		if f.Type == "nack" && f.ClientID == clientID {
			tb.Fatalf("message %s refused: %+v", clientID, f.Error)
		}
		return f.Type == "ack" && f.ClientID == clientID
	})
	return v.MustFrame(tb, "echo of "+clientID, func(f frame) bool {
		return f.Type == "message" && f.Message.ClientID == clientID
	})
}

// MustReply stores an agent's reply to conversation convID and queues it,
// as the API does.
func (e *env) MustReply(tb testing.TB, convID int64, body string) *parley.Message {
	tb.Helper()
	m := &parley.Message{ConversationID: convID, Direction: parley.DirectionOut, Kind: parley.KindText, Body: body, AuthorAgentID: &e.Agent.ID}
	if err := e.Store.CreateMessage(context.Background(), m); err != nil {
		tb.Fatalf("create reply: %v", err)
	}
	if err := e.Bus.PublishOutbound(context.Background(), m.ID, 0); err != nil {
		tb.Fatalf("queue reply: %v", err)
	}
	return m
}

// MustNote stores an agent's private note.
func (e *env) MustNote(tb testing.TB, convID int64, body string) *parley.Message {
	tb.Helper()
	m := &parley.Message{ConversationID: convID, Kind: parley.KindNote, Body: body, AuthorAgentID: &e.Agent.ID}
	if err := e.Store.CreateMessage(context.Background(), m); err != nil {
		tb.Fatalf("create note: %v", err)
	}
	if err := e.Bus.PublishEvent(context.Background(), &parley.Event{Type: parley.EventMessageCreated, Message: m, At: time.Now()}); err != nil {
		tb.Fatalf("publish note: %v", err)
	}
	return m
}

// eventually retries check until it passes or 15 s pass.
func eventually(tb testing.TB, what string, check func() bool) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// presenceLog records what the presence bus carries.
type presenceLog struct {
	mu   sync.Mutex
	seen []parley.PresenceInfo
}

func (p *presenceLog) add(i *parley.PresenceInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = append(p.seen, *i)
}

// index is the position of the last notice that matches, or -1.
func (p *presenceLog) index(match func(parley.PresenceInfo) bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.seen) - 1; i >= 0; i-- {
		if match(p.seen[i]) {
			return i
		}
	}
	return -1
}

func (p *presenceLog) find(match func(parley.PresenceInfo) bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, i := range p.seen {
		if match(i) {
			return true
		}
	}
	return false
}

// roomy limits let a test make many sessions and messages from one address.
var roomy = widget.Limits{
	SessionPerIP: widget.Rate{Every: time.Millisecond, Burst: 1000},
	MessagePerIP: widget.Rate{Every: time.Millisecond, Burst: 1000},
	ConnectPerIP: widget.Rate{Every: time.Millisecond, Burst: 1000},
}
