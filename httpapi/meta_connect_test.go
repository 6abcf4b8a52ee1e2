package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
	"github.com/parleyhq/parley/httpapi"
)

const (
	metaAppID     = "1234567890"
	metaAppSecret = "meta-app-secret"
	publicURL     = "https://parley.example.com"
)

// metaEnv is a server whose Meta app is the fake Graph server.
func metaEnv(t *testing.T) (*Env, *fake.Server, string) {
	t.Helper()
	f := faketest.MustStart(t, fake.Config{AppID: metaAppID, AppSecret: metaAppSecret})
	e := MustEnv(t, func(c *httpapi.Config) {
		c.Meta = &httpapi.MetaConnect{AppID: metaAppID, AppSecret: metaAppSecret, GraphBaseURL: f.URL,
			DialogURL: "https://www.facebook.example", PublicURL: publicURL, GraphVersion: "v25.0"}
	})
	e.MustAgent(t, "admin@example.com", parley.RoleAdmin)
	return e, f, e.MustToken(t, mustAgentByEmail(t, e, "admin@example.com"))
}

func mustAgentByEmail(t *testing.T, e *Env, email string) *parley.Agent {
	t.Helper()
	agents, err := e.Store.FindAgents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range agents {
		if a.Email == email {
			return a
		}
	}
	t.Fatalf("no agent %s", email)
	return nil
}

// mustStartLogin asks for the Login dialog and returns the state it carries.
func mustStartLogin(t *testing.T, e *Env, token string) string {
	t.Helper()
	rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/facebook", Token: token})
	if rec.Code != http.StatusFound {
		t.Fatalf("start = %d %s", rec.Code, rec.Body)
	}
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil || loc.Host != "www.facebook.example" || loc.Path != "/v25.0/dialog/oauth" {
		t.Fatalf("redirected to %q", rec.Header().Get("Location"))
	}
	q := loc.Query()
	if q.Get("client_id") != metaAppID || q.Get("redirect_uri") != publicURL+"/api/v1/connect/facebook/callback" || q.Get("state") == "" {
		t.Fatalf("dialog query %v", q)
	}
	return q.Get("state")
}

func callback(t *testing.T, e *Env, query url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/facebook/callback?" + query.Encode()})
}

func metaChannels(t *testing.T, e *Env) map[parley.Platform][]*parley.Channel {
	t.Helper()
	chans, err := e.Store.FindChannels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[parley.Platform][]*parley.Channel{}
	for _, ch := range chans {
		out[ch.Platform] = append(out[ch.Platform], ch)
	}
	return out
}

func TestConnectFacebookPages(t *testing.T) {
	e, f, token := metaEnv(t)
	f.AddPage("111", "page-token-1")
	f.LinkInstagram("111", "17841400000000009")
	f.AddLogin("code-1", "user-token-1", "111")

	state := mustStartLogin(t, e, token)
	rec := callback(t, e, url.Values{"code": {"code-1"}, "state": {state}})
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != publicURL+"/settings/channels?connected=3" {
		t.Fatalf("callback = %d → %q %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	chans := metaChannels(t, e)
	for p, acct := range map[parley.Platform]string{parley.PlatformMessenger: "page_id", parley.PlatformFacebookComments: "page_id", parley.PlatformInstagram: "ig_account_id"} {
		if len(chans[p]) != 1 {
			t.Fatalf("%d %s channels", len(chans[p]), p)
		}
		ch, err := e.Store.FindChannelByID(context.Background(), chans[p][0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Config[acct] == "" || ch.Config["graph_base_url"] != f.URL || ch.Config["graph_version"] != "v25.0" ||
			ch.Secrets["access_token"] != "page-token-1" || ch.Secrets["app_secret"] != metaAppSecret || ch.Secrets["verify_token"] == "" {
			t.Errorf("%s channel config %v, secrets set: token %t", p, ch.Config, ch.Secrets["access_token"] != "")
		}
	}
	var subscribed, longLived bool
	for _, r := range f.Requests() {
		subscribed = subscribed || r.Path == "/111/subscribed_apps" && r.Status == 200
		longLived = longLived || r.Query.Get("grant_type") == "fb_exchange_token" && r.Status == 200
	}
	if !subscribed || !longLived {
		t.Errorf("page subscribed %t, long-lived token fetched %t", subscribed, longLived)
	}

	t.Run("connecting again updates the same channels", func(t *testing.T) {
		f.SetToken("111", "page-token-2")
		f.AddLogin("code-2", "user-token-2", "111")
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/facebook/callback?" + url.Values{"code": {"code-2"}, "state": {mustStartLogin(t, e, token)}}.Encode(),
			Header: http.Header{"Accept": {"application/json"}}})
		if rec.Code != http.StatusOK {
			t.Fatalf("callback = %d %s", rec.Code, rec.Body)
		}
		after := metaChannels(t, e)
		if len(after[parley.PlatformMessenger]) != 1 || after[parley.PlatformMessenger][0].ID != chans[parley.PlatformMessenger][0].ID {
			t.Fatalf("reconnecting made new channels: %v", after)
		}
		ch, _ := e.Store.FindChannelByID(context.Background(), after[parley.PlatformMessenger][0].ID)
		if ch.Secrets["access_token"] != "page-token-2" {
			t.Error("the new page token was not stored")
		}
	})
}

func TestConnectFacebookRefusals(t *testing.T) {
	e, f, token := metaEnv(t)
	f.AddPage("111", "page-token-1")
	f.AddLogin("code-1", "user-token-1", "111")
	state := mustStartLogin(t, e, token)

	t.Run("a forged state", func(t *testing.T) {
		forged := state[:len(state)-3] + "AAA"
		if rec := callback(t, e, url.Values{"code": {"code-1"}, "state": {forged}}); rec.Code != http.StatusUnauthorized {
			t.Errorf("forged state = %d", rec.Code)
		}
	})
	t.Run("an expired state", func(t *testing.T) {
		old := mustStartLogin(t, e, token)
		e.Clock.Advance(16 * time.Minute)
		if rec := callback(t, e, url.Values{"code": {"code-1"}, "state": {old}}); rec.Code != http.StatusUnauthorized {
			t.Errorf("expired state = %d", rec.Code)
		}
	})
	t.Run("an agent cannot start", func(t *testing.T) {
		agent := e.MustAgent(t, "agent@example.com", parley.RoleAgent)
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/facebook", Token: e.MustToken(t, agent)}); rec.Code != http.StatusForbidden {
			t.Errorf("agent start = %d", rec.Code)
		}
	})
	t.Run("the user cancels the dialog", func(t *testing.T) {
		rec := callback(t, e, url.Values{"error": {"access_denied"}, "error_description": {"Permissions error"}, "state": {mustStartLogin(t, e, token)}})
		loc, _ := url.Parse(rec.Header().Get("Location"))
		if rec.Code != http.StatusFound || !strings.Contains(loc.Query().Get("connect_error"), "Permissions error") {
			t.Errorf("cancel = %d → %q", rec.Code, rec.Header().Get("Location"))
		}
		if n := len(metaChannels(t, e)[parley.PlatformMessenger]); n != 0 {
			t.Errorf("%d channels after a cancel", n)
		}
	})
	t.Run("not configured", func(t *testing.T) {
		bare := MustEnv(t)
		admin := bare.MustAgent(t, "a@example.com", parley.RoleAdmin)
		if rec := Do(t, bare.Srv, Req{Method: "GET", Path: "/api/v1/connect/facebook", Token: bare.MustToken(t, admin)}); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("without a Meta app = %d", rec.Code)
		}
	})
}

func TestConnectWhatsAppEmbeddedSignup(t *testing.T) {
	e, f, token := metaEnv(t)
	f.AddWhatsApp("106540352242922", "102290129340398", "wa-business-token")
	f.AddLogin("es-code", "wa-business-token")

	rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/connect/whatsapp", Token: token,
		Body: map[string]string{"code": "es-code", "waba_id": "102290129340398", "phone_number_id": "106540352242922"}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("connect = %d %s", rec.Code, rec.Body)
	}
	var ch parley.Channel
	_ = json.Unmarshal(rec.Body.Bytes(), &ch)
	stored, err := e.Store.FindChannelByID(context.Background(), ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Platform != parley.PlatformWhatsApp || stored.Config["phone_number_id"] != "106540352242922" || stored.Config["waba_id"] != "102290129340398" ||
		stored.Secrets["access_token"] != "wa-business-token" || len(stored.Secrets["two_step_pin"]) != 6 || !strings.HasPrefix(stored.Name, "WhatsApp +1 555") {
		t.Errorf("channel %s %v", stored.Name, stored.Config)
	}
	var registered, subscribed bool
	for _, r := range f.Requests() {
		registered = registered || r.Path == "/106540352242922/register" && r.Status == 200
		subscribed = subscribed || r.Path == "/102290129340398/subscribed_apps" && r.Status == 200 &&
			r.JSON()["override_callback_uri"] == publicURL+"/hooks/whatsapp/"+jsonNumber(ch.ID)
	}
	if !registered || !subscribed {
		t.Errorf("number registered %t, WABA subscribed to the channel's hook %t", registered, subscribed)
	}

	t.Run("a used code is refused and no channel is added", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/connect/whatsapp", Token: token,
			Body: map[string]string{"code": "es-code", "waba_id": "102290129340398", "phone_number_id": "106540352242922"}})
		if rec.Code < 400 {
			t.Errorf("reused code = %d", rec.Code)
		}
		if n := len(metaChannels(t, e)[parley.PlatformWhatsApp]); n != 1 {
			t.Errorf("%d WhatsApp channels", n)
		}
	})
	t.Run("missing ids are refused", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/connect/whatsapp", Token: token, Body: map[string]string{"code": "x"}})
		if rec.Code != http.StatusBadRequest {
			t.Errorf("missing ids = %d", rec.Code)
		}
	})
}

func TestGraphVersionWarnings(t *testing.T) {
	e, _, token := metaEnv(t)
	for name, v := range map[string]string{"old": "v17.0", "new": "v99.0"} {
		ch := &parley.Channel{Platform: parley.PlatformMessenger, Name: name, Status: parley.ChannelActive,
			Config: map[string]string{"page_id": name, "graph_version": v}}
		if err := e.Store.CreateChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
	}
	rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/meta", Token: token})
	var info struct {
		Enabled  bool
		AppID    string `json:"app_id"`
		Warnings []struct {
			ChannelID    int64  `json:"channel_id"`
			GraphVersion string `json:"graph_version"`
			Message      string
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("= %d %s", rec.Code, rec.Body)
	}
	if !info.Enabled || info.AppID != metaAppID {
		t.Errorf("info %+v", info)
	}
	if len(info.Warnings) != 1 || info.Warnings[0].GraphVersion != "v17.0" || !strings.Contains(info.Warnings[0].Message, "end of life") {
		t.Errorf("warnings %+v, want one about v17.0", info.Warnings)
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }
