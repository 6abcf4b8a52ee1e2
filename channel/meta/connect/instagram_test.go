package connect_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/connect"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
)

func TestInstagramLoginCalls(t *testing.T) {
	f := faketest.MustStart(t, fake.Config{AppID: "ig-app", AppSecret: "ig-secret"})
	f.AddInstagram("17841400000000001", "long-token")
	f.AddInstagramLogin("code-1", "17841400000000001")
	app := connect.InstagramApp{ID: "ig-app", Secret: "ig-secret", APIURL: f.URL, GraphURL: f.URL}
	ctx := t.Context()

	user, err := app.ExchangeCode(ctx, "code-1", "https://parley.example/cb")
	if err != nil || user.AccessToken == "" || user.UserID.String() != "17841400000000001" {
		t.Fatalf("exchange: %+v %v", user, err)
	}
	if _, err := app.ExchangeCode(ctx, "code-1", "https://parley.example/cb"); err == nil {
		t.Fatal("a code worked twice")
	}
	long, err := app.LongLived(ctx, user.AccessToken)
	if err != nil || long.AccessToken != "long-token" || long.ExpiresIn <= 0 {
		t.Fatalf("long-lived: %+v %v", long, err)
	}
	if _, err := app.LongLived(ctx, "not-a-token"); parley.ErrorCode(err) != parley.EUNAUTHORIZED {
		t.Fatalf("bad short token: %v", err)
	}
	p, err := app.Profile(ctx, long.AccessToken)
	if err != nil || p.AccountID() != "17841400000000001" || p.Username == "" {
		t.Fatalf("profile: %+v %v", p, err)
	}
	if err := app.Subscribe(ctx, long.AccessToken, nil); err != nil {
		t.Fatal(err)
	}
	if err := app.Subscribe(ctx, "someone-else", nil); err == nil {
		t.Fatal("subscribed with a stranger's token")
	}
	u, _ := url.Parse(app.LoginURL("https://parley.example/cb", "st"))
	if u.Host != "api.instagram.com" || u.Path != "/oauth/authorize" || u.Query().Get("client_id") != "ig-app" {
		t.Fatalf("login URL %s", u)
	}
}

func TestInstagramCodeExchangeFlatAnswer(t *testing.T) {
	// Older documentation shows the token object itself, without "data".
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.URL.Path != "/oauth/access_token" || r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("client_secret") != "s" {
			http.Error(w, `{"error_type":"OAuthException","code":400,"error_message":"bad"}`, 400)
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"short","user_id":17841400000000002}`))
	}))
	defer srv.Close()
	u, err := connect.InstagramApp{ID: "a", Secret: "s", APIURL: srv.URL}.ExchangeCode(t.Context(), "c", "https://x/cb")
	if err != nil || u.AccessToken != "short" || u.UserID.String() != "17841400000000002" {
		t.Fatalf("%+v %v", u, err)
	}
}
