package httpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/store"
)

// Env is a server on a real SQLite store, with recording publishers at the
// package's boundary.
type Env struct {
	Store    *store.Store
	Srv      *httpapi.Server
	Inbound  *RecordingInbound
	Outbound *RecordingOutbound
	Events   *RecordingEvents
	Clock    *TestClock
	Channel  *parley.Channel // an API channel served by TestAdapter, secret "s3cret"
}

// lightHash keeps fixtures fast; sign-in upgrades it to DefaultParams.
var lightHash = auth.Params{Memory: 1024, Iterations: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const testPassword = "correct horse battery"

// MustEnv opens a fresh store and server; change adjusts the config.
func MustEnv(tb testing.TB, change ...func(*httpapi.Config)) *Env {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DSN: filepath.Join(tb.TempDir(), "p.db"), SecretKey: make([]byte, 32)})
	if err != nil {
		tb.Fatalf("opening store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	reg := channel.NewRegistry()
	reg.Register(parley.PlatformAPI, func(ch *parley.Channel) (parley.Adapter, error) { return &TestAdapter{ch: ch}, nil })
	reg.Register(parley.PlatformMessenger, func(ch *parley.Channel) (parley.Adapter, error) {
		return &HandshakingAdapter{TestAdapter{ch: ch}}, nil
	})
	e := &Env{Store: st, Inbound: &RecordingInbound{}, Outbound: &RecordingOutbound{}, Events: &RecordingEvents{},
		Clock: &TestClock{}}
	cfg := httpapi.Config{Store: st, Inbound: e.Inbound, Outbound: e.Outbound, Events: e.Events, Adapters: reg,
		Clock: e.Clock, Logger: slog.New(slog.DiscardHandler)}
	for _, c := range change {
		c(&cfg)
	}
	e.Srv = httpapi.New(cfg)
	e.Channel = &parley.Channel{Platform: parley.PlatformAPI, Name: "API", Status: parley.ChannelActive,
		Secrets: map[string]string{"secret": "s3cret"}}
	if err := st.CreateChannel(ctx, e.Channel); err != nil {
		tb.Fatalf("creating channel: %v", err)
	}
	return e
}

// MustAgent stores an active agent with testPassword.
func (e *Env) MustAgent(tb testing.TB, email string, role parley.Role, teamIDs ...int64) *parley.Agent {
	tb.Helper()
	h, err := auth.HashPasswordWith(lightHash, testPassword)
	if err != nil {
		tb.Fatal(err)
	}
	a := &parley.Agent{Email: email, Name: email, Role: role, Active: true, Language: "en", PasswordHash: h, TeamIDs: teamIDs}
	if err := e.Store.CreateAgent(context.Background(), a); err != nil {
		tb.Fatalf("creating agent: %v", err)
	}
	return a
}

// MustToken mints an API token for a directly (no HTTP).
func (e *Env) MustToken(tb testing.TB, a *parley.Agent) string {
	tb.Helper()
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	if err := e.Store.CreateAPIToken(context.Background(), &parley.APIToken{AgentID: a.ID, Name: "test", Prefix: plain[:9], TokenHash: hash}); err != nil {
		tb.Fatal(err)
	}
	return plain
}

// MustLogin signs in through the API and returns the session cookie.
func (e *Env) MustLogin(tb testing.TB, email string) *http.Cookie {
	tb.Helper()
	rec := Do(tb, e.Srv, Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": testPassword}})
	if rec.Code != http.StatusOK {
		tb.Fatalf("login %s: %d %s", email, rec.Code, rec.Body)
	}
	return SessionCookie(tb, rec.Result().Cookies())
}

// SessionCookie finds parley_session among cookies.
func SessionCookie(tb testing.TB, cookies []*http.Cookie) *http.Cookie {
	tb.Helper()
	for _, c := range cookies {
		if c.Name == "parley_session" {
			return c
		}
	}
	tb.Fatalf("no parley_session cookie in %v", cookies)
	return nil
}

// MustConversation ingests a customer message from sender and returns the
// ticket it opened.
func (e *Env) MustConversation(tb testing.TB, sender string) *parley.Conversation {
	tb.Helper()
	ev := &parley.InboundEvent{Kind: parley.InboundMessage, ChannelID: e.Channel.ID, Platform: e.Channel.Platform,
		ExternalID: "m-" + sender + fmt.Sprint(time.Now().UnixNano()), Direction: parley.DirectionIn,
		Sender:    parley.Sender{Kind: parley.IdentityExternal, ID: sender, Name: "Customer " + sender},
		Timestamp: time.Now().UTC(), Text: "hello from " + sender}
	res, err := e.Store.Ingest(context.Background(), []*parley.InboundEvent{ev})
	if err != nil || len(res) != 1 || res[0].Conversation == nil {
		tb.Fatalf("ingest: %v %+v", err, res)
	}
	return res[0].Conversation
}

// TestClock is the server's clock; tests move it forward.
type TestClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *TestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset)
}

func (c *TestClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// RecordingInbound records published batches; Fail makes it refuse, Gate
// makes it wait until the test lets it go.
type RecordingInbound struct {
	mu      sync.Mutex
	Batches [][]*parley.InboundEvent
	Raw     [][]byte
	Fail    error
	Gate    chan struct{}
	Entered chan struct{}
}

func (p *RecordingInbound) PublishInbound(ctx context.Context, events []*parley.InboundEvent, raw []byte, _ time.Time) error {
	p.mu.Lock()
	gate, entered, fail := p.Gate, p.Entered, p.Fail
	p.mu.Unlock()
	if entered != nil {
		close(entered)
	}
	if gate != nil {
		<-gate
	}
	if fail != nil {
		return fail
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Batches = append(p.Batches, events)
	p.Raw = append(p.Raw, raw)
	return nil
}

func (p *RecordingInbound) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.Batches)
}

// RecordingOutbound records queued message ids.
type RecordingOutbound struct {
	mu  sync.Mutex
	IDs []int64
}

func (p *RecordingOutbound) PublishOutbound(_ context.Context, id int64, _ int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.IDs = append(p.IDs, id)
	return nil
}

func (p *RecordingOutbound) Published() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int64(nil), p.IDs...)
}

// RecordingEvents records domain events.
type RecordingEvents struct {
	mu     sync.Mutex
	events []*parley.Event
}

func (p *RecordingEvents) PublishEvent(_ context.Context, e *parley.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, e)
	return nil
}

// Types returns the types of the events published so far and forgets them.
func (p *RecordingEvents) Take() []parley.EventType {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []parley.EventType
	for _, e := range p.events {
		out = append(out, e.Type)
	}
	p.events = nil
	return out
}

// TestAdapter verifies X-Test-Signature: hex HMAC-SHA256(secret, body) and
// parses {"messages":[{"id","from","text"}]}.
type TestAdapter struct{ ch *parley.Channel }

func (a *TestAdapter) Platform() parley.Platform         { return a.ch.Platform }
func (a *TestAdapter) Capabilities() parley.Capabilities { return parley.Capabilities{} }

func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (a *TestAdapter) VerifyWebhook(r *http.Request, body []byte) error {
	got, err := hex.DecodeString(r.Header.Get("X-Test-Signature"))
	want, _ := hex.DecodeString(Sign(a.ch.Secrets["secret"], body))
	if err != nil || !hmac.Equal(got, want) {
		return parley.Errorf(parley.EUNAUTHORIZED, "bad signature")
	}
	return nil
}

func (a *TestAdapter) ParseWebhook(body []byte) ([]*parley.InboundEvent, error) {
	var p struct {
		Messages []struct{ ID, From, Text string } `json:"messages"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, parley.Errorf(parley.EINVALID, "malformed body: %v", err)
	}
	var out []*parley.InboundEvent
	for _, m := range p.Messages {
		out = append(out, &parley.InboundEvent{Kind: parley.InboundMessage, ExternalID: m.ID, Text: m.Text,
			Sender: parley.Sender{Kind: parley.IdentityExternal, ID: m.From}, Direction: parley.DirectionIn})
	}
	return out, nil
}

func (a *TestAdapter) Send(context.Context, parley.OutboundMessage) (parley.SendResult, error) {
	return parley.SendResult{}, parley.Errorf(parley.EUNSUPPORTED, "test adapter does not send")
}

// HandshakingAdapter answers ?challenge=X with X and writes EVENT_RECEIVED on success.
type HandshakingAdapter struct{ TestAdapter }

func (a *HandshakingAdapter) Handshake(w http.ResponseWriter, r *http.Request) bool {
	c := r.URL.Query().Get("challenge")
	if c == "" {
		return false
	}
	w.Write([]byte(c))
	return true
}

func (a *HandshakingAdapter) RespondWebhook(w http.ResponseWriter) { w.Write([]byte("EVENT_RECEIVED")) }
