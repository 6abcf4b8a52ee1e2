package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/widget"
)

// TestWidgetWired: a widget channel created through the API serves its
// script, config, demo, and a visitor's message becomes a ticket that an
// agent answers through the API; the reply reaches the visitor's socket.
func TestWidgetWired(t *testing.T) {
	a := mustNewApp(t, nil)
	c := mustSignIn(t, a)
	var ch parley.Channel
	c.do("POST", "/api/v1/channels", map[string]any{"platform": "widget", "name": "Site",
		"config": map[string]string{"greeting": "Hi"}, "secrets": map[string]string{widget.SecretIdentity: "0123456789abcdef0123"}}, &ch)
	base := "http://" + a.Addr()
	for _, path := range []string{"/widget/v1/widget.js", "/widget/demo", "/widget/v1/channels/" + itoa(ch.ID) + "/config"} {
		res, err := http.Get(base + path)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, err, res.StatusCode)
		}
		res.Body.Close()
	}
	res, err := http.Post(base+"/widget/v1/channels/"+itoa(ch.ID)+"/session", "application/json", strings.NewReader(`{"name":"Vi"}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("session: %v %v", err, res.StatusCode)
	}
	var s struct{ Token string }
	decode(t, res, &s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws://"+a.Addr()+"/widget/v1/channels/"+itoa(ch.ID)+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	conn.Write(ctx, websocket.MessageText, []byte(`{"type":"hello","token":"`+s.Token+`"}`))
	conn.Write(ctx, websocket.MessageText, []byte(`{"type":"message","client_id":"wired-0001","text":"hello app"}`))
	var convID int64
	for convID == 0 {
		var list struct{ Items []parley.Conversation }
		c.do("GET", "/api/v1/conversations?view=all", nil, &list)
		if len(list.Items) > 0 {
			convID = list.Items[0].ID
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.do("POST", "/api/v1/conversations/"+itoa(convID)+"/messages", map[string]any{"body": "hello visitor", "kind": "text"}, nil)
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("no reply on the visitor socket: %v", err)
		}
		if strings.Contains(string(data), "hello visitor") {
			return
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func decode(t testing.TB, res *http.Response, v any) {
	t.Helper()
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestChannelsAreCheckedWhenCreated: a widget channel created without an
// identity secret (as the admin UI does) gets one and works; settings its
// adapter cannot run with are refused, on creation and on change, instead
// of being stored and leaving the channel silently broken.
func TestChannelsAreCheckedWhenCreated(t *testing.T) {
	a := mustNewApp(t, nil)
	c := mustSignIn(t, a)
	var ch parley.Channel
	c.do("POST", "/api/v1/channels", map[string]any{"platform": "widget", "name": "Site from the admin UI"}, &ch)
	res, err := http.Get("http://" + a.Addr() + "/widget/v1/channels/" + itoa(ch.ID) + "/config")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("config of a widget channel created without a secret: %v %v", err, res.StatusCode)
	}
	res.Body.Close()
	stored, err := a.Store.FindChannelByID(context.Background(), ch.ID)
	if err != nil || len(stored.Secrets[widget.SecretIdentity]) < widget.MinSecretLength {
		t.Fatalf("stored identity secret %q, %v", stored.Secrets[widget.SecretIdentity], err)
	}

	patch := map[string]any{"config": map[string]string{widget.ConfigColor: "not-a-colour"}}
	if code := c.status("PATCH", "/api/v1/channels/"+itoa(ch.ID), patch); code != http.StatusBadRequest {
		t.Fatalf("setting an invalid colour on a working widget: %d, want 400", code)
	}
	if stored, _ := a.Store.FindChannelByID(context.Background(), ch.ID); stored.Config[widget.ConfigColor] != "" {
		t.Fatalf("the refused colour was stored: %q", stored.Config[widget.ConfigColor])
	}
	c.do("PATCH", "/api/v1/channels/"+itoa(ch.ID), map[string]any{"config": map[string]string{widget.ConfigColor: "#0f766e"}}, nil)

	bad := map[string]any{"platform": "widget", "name": "Bad colour", "config": map[string]string{widget.ConfigColor: "not-a-colour"}}
	if code := c.status("POST", "/api/v1/channels", bad); code != http.StatusBadRequest {
		t.Fatalf("a widget channel with an invalid colour: %d, want 400", code)
	}
	var list struct{ Items []parley.Channel }
	c.do("GET", "/api/v1/channels", nil, &list)
	for _, got := range list.Items {
		if got.Name == "Bad colour" {
			t.Fatalf("the refused channel was stored: %+v", got)
		}
	}
}
