package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
	"github.com/parleyhq/parley/channel/meta/instagram"
	"github.com/parleyhq/parley/httpapi"
)

const igAccount = "17841400000000077"

// igEnv is a server whose Instagram app is the fake, playing both
// api.instagram.com and graph.instagram.com.
func igEnv(t *testing.T, now ...func() time.Time) (*Env, *fake.Server, string) {
	t.Helper()
	cfg := fake.Config{AppID: "ig-app", AppSecret: "ig-secret"}
	if len(now) > 0 {
		cfg.Now = now[0]
	}
	f := faketest.MustStart(t, cfg)
	f.AddInstagram(igAccount, "ig-long-token")
	e := MustEnv(t, func(c *httpapi.Config) {
		c.Meta = &httpapi.MetaConnect{AppID: metaAppID, AppSecret: metaAppSecret, PublicURL: publicURL, GraphVersion: "v25.0",
			InstagramAppID: "ig-app", InstagramAppSecret: "ig-secret",
			InstagramAuthURL: "https://www.instagram.example", InstagramAPIURL: f.URL, InstagramGraphURL: f.URL}
	})
	e.MustAgent(t, "admin@example.com", parley.RoleAdmin)
	return e, f, e.MustToken(t, mustAgentByEmail(t, e, "admin@example.com"))
}

func mustStartInstagramLogin(t *testing.T, e *Env, token string) string {
	t.Helper()
	rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/instagram", Token: token})
	loc, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || err != nil || loc.Host != "www.instagram.example" || loc.Path != "/oauth/authorize" {
		t.Fatalf("start = %d → %q", rec.Code, rec.Header().Get("Location"))
	}
	q := loc.Query()
	if q.Get("client_id") != "ig-app" || q.Get("redirect_uri") != publicURL+"/api/v1/connect/instagram/callback" || q.Get("response_type") != "code" ||
		q.Get("scope") != "instagram_business_basic,instagram_business_manage_messages,instagram_business_manage_comments" || q.Get("state") == "" {
		t.Fatalf("dialog query %v", q)
	}
	return q.Get("state")
}

func TestConnectInstagramLogin(t *testing.T) {
	e, f, token := igEnv(t)
	f.AddInstagramLogin("ig-code", igAccount)
	state := mustStartInstagramLogin(t, e, token)

	rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/instagram/callback?" + url.Values{"code": {"ig-code"}, "state": {state}}.Encode()})
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != publicURL+"/settings/channels?connected=1" {
		t.Fatalf("callback = %d → %q %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	chans := metaChannels(t, e)[parley.PlatformInstagram]
	if len(chans) != 1 {
		t.Fatalf("%d Instagram channels", len(chans))
	}
	ch, err := e.Store.FindChannelByID(context.Background(), chans[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Config["ig_account_id"] != igAccount || ch.Config["instagram_login"] != "true" || ch.Config["graph_base_url"] != f.URL ||
		ch.Config["username"] != "shop_"+igAccount || ch.Config["token_expires_at"] == "" || ch.Name != "@shop_"+igAccount+" · Instagram" {
		t.Errorf("config %v, name %q", ch.Config, ch.Name)
	}
	if ch.Secrets["access_token"] != "ig-long-token" || ch.Secrets["app_secret"] != "ig-secret" || ch.Secrets["verify_token"] == "" {
		t.Errorf("secrets: long-lived token %t, Instagram app secret %t", ch.Secrets["access_token"] == "ig-long-token", ch.Secrets["app_secret"] == "ig-secret")
	}
	var exchanged, longLived, subscribed bool
	for _, r := range f.Requests() {
		exchanged = exchanged || r.Method == "POST" && r.Path == "/oauth/access_token" && r.Status == 200 && r.Form.Get("redirect_uri") == publicURL+"/api/v1/connect/instagram/callback"
		longLived = longLived || r.Path == "/access_token" && r.Query.Get("grant_type") == "ig_exchange_token" && r.Status == 200
		subscribed = subscribed || r.Path == "/me/subscribed_apps" && r.Status == 200 && r.Header.Get("Authorization") == "Bearer ig-long-token"
	}
	if !exchanged || !longLived || !subscribed {
		t.Errorf("code exchanged %t, long-lived token %t, subscribed %t", exchanged, longLived, subscribed)
	}

	t.Run("the channel sends with Instagram Login", func(t *testing.T) {
		a, err := instagram.New(ch)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		f.SetInbound(igAccount, "igsid-1", now)
		res, err := a.Send(context.Background(), parley.OutboundMessage{Channel: ch, Conversation: &parley.Conversation{LastInboundAt: &now},
			Recipient: &parley.Identity{Kind: parley.IdentityInstagram, Value: "igsid-1"}, Message: &parley.Message{Kind: parley.KindText, Body: "Hi!"}})
		reqs := f.Requests()
		last := reqs[len(reqs)-1]
		if err != nil || res.ExternalID == "" || last.Path != "/"+igAccount+"/messages" || last.Header.Get("Authorization") != "Bearer ig-long-token" {
			t.Fatalf("send %+v %v via %s %v", res, err, last.Path, last.Header)
		}
	})
	t.Run("a code works once", func(t *testing.T) {
		state := mustStartInstagramLogin(t, e, token)
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/instagram/callback?" + url.Values{"code": {"ig-code"}, "state": {state}}.Encode(),
			Header: http.Header{"Accept": {"application/json"}}})
		if rec.Code < 400 {
			t.Fatalf("reused code = %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("reconnecting updates the channel", func(t *testing.T) {
		f.AddInstagramLogin("ig-code-2", igAccount)
		state := mustStartInstagramLogin(t, e, token)
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/instagram/callback?" + url.Values{"code": {"ig-code-2"}, "state": {state}}.Encode(),
			Header: http.Header{"Accept": {"application/json"}}})
		if rec.Code != http.StatusOK || len(metaChannels(t, e)[parley.PlatformInstagram]) != 1 {
			t.Fatalf("reconnect = %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("a forged state is refused", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/instagram/callback?code=x&state=forged.sig"})
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestRefreshInstagramTokens(t *testing.T) {
	var skew atomic.Int64
	e, f, token := igEnv(t, func() time.Time { return time.Now().UTC().Add(time.Duration(skew.Load())) })
	f.AddInstagramLogin("ig-code", igAccount)
	state := mustStartInstagramLogin(t, e, token)
	if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/connect/instagram/callback?" + url.Values{"code": {"ig-code"}, "state": {state}}.Encode()}); rec.Code != http.StatusFound {
		t.Fatalf("connect = %d", rec.Code)
	}
	ch := metaChannels(t, e)[parley.PlatformInstagram][0]
	m := &httpapi.MetaConnect{AppID: metaAppID, AppSecret: metaAppSecret, InstagramAppID: "ig-app", InstagramAppSecret: "ig-secret",
		InstagramAPIURL: f.URL, InstagramGraphURL: f.URL}
	ctx := context.Background()
	refresh := func(at time.Time) int {
		t.Helper()
		n, err := m.RefreshInstagramTokens(ctx, e.Store, at, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := refresh(time.Now()); n != 0 {
		t.Fatalf("a fresh 60-day token was refreshed (%d)", n)
	}
	if n := refresh(time.Now().Add(61 * 24 * time.Hour)); n != 0 {
		t.Fatalf("an expired token was refreshed (%d)", n)
	}
	if n := refresh(time.Now().Add(55 * 24 * time.Hour)); n != 0 {
		t.Fatalf("a token under a day old was refreshed (%d): Instagram refuses that", n)
	}
	stored, _ := e.Store.FindChannelByID(ctx, ch.ID)
	skew.Store(int64(55 * 24 * time.Hour)) // Instagram's clock: the token is 55 days old
	if n := refresh(time.Now().Add(55 * 24 * time.Hour)); n != 1 {
		t.Fatalf("refreshed %d channels, want 1", n)
	}
	after, _ := e.Store.FindChannelByID(ctx, ch.ID)
	if after.Secrets["access_token"] == stored.Secrets["access_token"] || after.Config["token_expires_at"] <= stored.Config["token_expires_at"] {
		t.Fatalf("token %q → %q, expiry %s → %s", stored.Secrets["access_token"], after.Secrets["access_token"], stored.Config["token_expires_at"], after.Config["token_expires_at"])
	}
}
