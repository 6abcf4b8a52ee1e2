package connect_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/connect"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
)

func MustApp(tb testing.TB) (connect.App, *fake.Server) {
	tb.Helper()
	f := faketest.MustStart(tb, fake.Config{AppID: "1234", AppSecret: "s3cret"})
	return connect.App{ID: "1234", Secret: "s3cret", BaseURL: f.URL}, f
}

func TestLoginURL(t *testing.T) {
	app := connect.App{ID: "1234", Secret: "x"}
	u, err := url.Parse(app.LoginURL("https://parley.example/connect/meta", "st4te", "cfg-9", []string{"ignored"}))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "www.facebook.com" || u.Path != "/v25.0/dialog/oauth" || q.Get("client_id") != "1234" || q.Get("state") != "st4te" ||
		q.Get("config_id") != "cfg-9" || q.Get("scope") != "" || q.Get("response_type") != "code" || q.Get("redirect_uri") != "https://parley.example/connect/meta" {
		t.Fatalf("%s", u)
	}
	u, _ = url.Parse(app.LoginURL("https://r", "s", "", []string{"pages_messaging", "pages_manage_metadata"}))
	if u.Query().Get("scope") != "pages_messaging,pages_manage_metadata" {
		t.Fatalf("%s", u)
	}
}

func TestFacebookLoginFlow(t *testing.T) {
	app, f := MustApp(t)
	f.AddPage("p1", "page-token-1")
	f.AddPage("p2", "page-token-2")
	f.LinkInstagram("p1", "ig-1")
	f.AddLogin("code-abc", "user-short", "p1", "p2")

	short, err := app.ExchangeCode(t.Context(), "code-abc", "https://r")
	if err != nil || short.AccessToken != "user-short" {
		t.Fatalf("%+v %v", short, err)
	}
	t.Run("a code works once", func(t *testing.T) {
		if _, err := app.ExchangeCode(t.Context(), "code-abc", "https://r"); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	long, err := app.LongLived(t.Context(), short.AccessToken)
	if err != nil || long.ExpiresIn != 5183944 || long.AccessToken == short.AccessToken {
		t.Fatalf("%+v %v", long, err)
	}
	pages, err := app.Pages(t.Context(), long.AccessToken)
	if err != nil || len(pages) != 2 || pages[0].AccessToken != "page-token-1" {
		t.Fatalf("%+v %v", pages, err)
	}
	ig, err := app.InstagramAccount(t.Context(), "page-token-1")
	if err != nil || ig != "ig-1" {
		t.Fatalf("%q %v", ig, err)
	}
	if _, err := app.InstagramAccount(t.Context(), "page-token-2"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("unlinked page: %v", err)
	}
	if err := app.SubscribePage(t.Context(), "p1", "page-token-1", nil); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if fields := reqs[len(reqs)-1].Query.Get("subscribed_fields"); !strings.Contains(fields, "message_echoes") || !strings.Contains(fields, "feed") {
		t.Fatalf("subscribed_fields = %q", fields)
	}
	t.Run("wrong app secret is refused", func(t *testing.T) {
		bad := app
		bad.Secret = "nope"
		f.AddLogin("code-2", "user-2", "p1")
		if _, err := bad.ExchangeCode(t.Context(), "code-2", "https://r"); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a revoked token is unauthorized", func(t *testing.T) {
		if _, err := app.Pages(t.Context(), "revoked"); parley.ErrorCode(err) != parley.EUNAUTHORIZED {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestEmbeddedSignup(t *testing.T) {
	app, f := MustApp(t)
	f.AddWhatsApp("pn-1", "waba-1", "sys-token")
	info, err := app.DebugToken(t.Context(), "sys-token")
	if err != nil || !info.IsValid || info.GranularScopes[0].TargetIDs[0] != "waba-1" {
		t.Fatalf("%+v %v", info, err)
	}
	if _, err := app.DebugToken(t.Context(), "forged"); parley.ErrorCode(err) != parley.EUNAUTHORIZED {
		t.Fatalf("invalid token: %v", err)
	}
	nums, err := app.PhoneNumbers(t.Context(), "waba-1", "sys-token")
	if err != nil || len(nums) != 1 || nums[0].ID != "pn-1" {
		t.Fatalf("%+v %v", nums, err)
	}
	if err := app.RegisterPhone(t.Context(), "pn-1", "sys-token", "123456"); err != nil {
		t.Fatal(err)
	}
	if err := app.RegisterPhone(t.Context(), "pn-1", "sys-token", "12"); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("short pin: %v", err)
	}
	if err := app.SubscribeWABA(t.Context(), "waba-1", "sys-token", "https://parley.example/hooks/whatsapp/3", "vt"); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if b := reqs[len(reqs)-1].JSON(); b["override_callback_uri"] != "https://parley.example/hooks/whatsapp/3" || b["verify_token"] != "vt" {
		t.Fatalf("%v", b)
	}
	if err := app.SubscribeWABA(t.Context(), "waba-1", "wrong", "", ""); parley.ErrorCode(err) != parley.EUNAUTHORIZED {
		t.Fatalf("wrong token: %v", err)
	}
}

func signed(secret, payload string) string {
	p := base64.RawURLEncoding.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(p))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) + "." + p
}

func TestParseSignedRequest(t *testing.T) {
	good := signed("s3cret", `{"algorithm":"HMAC-SHA256","issued_at":1700000000,"user_id":"218471"}`)
	sr, err := connect.ParseSignedRequest("s3cret", good)
	if err != nil || sr.UserID != "218471" || sr.IssuedAt != 1700000000 {
		t.Fatalf("%+v %v", sr, err)
	}
	for name, tc := range map[string]struct {
		secret, in, code string
	}{
		"wrong secret":     {"other", good, parley.EUNAUTHORIZED},
		"tampered":         {"s3cret", good[:len(good)-2] + "xx", parley.EUNAUTHORIZED},
		"no dot":           {"s3cret", "abc", parley.EINVALID},
		"bad base64":       {"s3cret", "!!!." + strings.SplitN(good, ".", 2)[1], parley.EINVALID},
		"other algorithm":  {"s3cret", signed("s3cret", `{"algorithm":"none","user_id":"1"}`), parley.EINVALID},
		"payload not JSON": {"s3cret", signed("s3cret", `hello`), parley.EINVALID},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := connect.ParseSignedRequest(tc.secret, tc.in); parley.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
}

func FuzzParseSignedRequest(f *testing.F) {
	f.Add(signed("k", `{"algorithm":"HMAC-SHA256","user_id":1}`))
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, in string) {
		_, err := connect.ParseSignedRequest("k", in)
		if code := parley.ErrorCode(err); err != nil && code != parley.EINVALID && code != parley.EUNAUTHORIZED {
			t.Fatalf("code %q", code)
		}
	})
}
