package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/httpapi"
)

func TestSignIn(t *testing.T) {
	e := MustEnv(t, func(c *httpapi.Config) { c.SecureCookies = true })
	agent := e.MustAgent(t, "ana@example.com", parley.RoleAgent)
	login := func(email, password string) Req {
		return Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": password}}
	}

	t.Run("right password sets a hardened session cookie and only its hash is stored", func(t *testing.T) {
		rec := Do(t, e.Srv, login("Ana@Example.com ", testPassword))
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if got := MustDecode[parley.Agent](t, rec); got.ID != agent.ID || strings.Contains(rec.Body.String(), "argon2") {
			t.Fatalf("body %s", rec.Body)
		}
		c := SessionCookie(t, rec.Result().Cookies())
		if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || !auth.LooksLikeToken(c.Value, "ps_") {
			t.Fatalf("cookie %+v", c)
		}
		if c.MaxAge < 29*24*3600 {
			t.Fatalf("cookie lives %ds", c.MaxAge)
		}
		sess, err := e.Store.FindSession(context.Background(), auth.HashToken(c.Value))
		if err != nil || sess.AgentID != agent.ID || string(sess.TokenHash) == c.Value {
			t.Fatalf("stored session %+v, %v", sess, err)
		}
		me := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: c})
		if me.Code != http.StatusOK || MustDecode[parley.Agent](t, me).ID != agent.ID {
			t.Fatalf("me: %d %s", me.Code, me.Body)
		}
	})
	t.Run("sign-in upgrades a weak stored hash to the default parameters", func(t *testing.T) {
		a, err := e.Store.FindAgentByID(context.Background(), agent.ID)
		if err != nil || auth.NeedsRehash(a.PasswordHash, auth.DefaultParams) {
			t.Fatalf("hash not upgraded: %v", err)
		}
	})
	for name, req := range map[string]Req{
		"wrong password":     login("ana@example.com", "wrong password"),
		"unknown e-mail":     login("nobody@example.com", testPassword),
		"empty password":     login("ana@example.com", ""),
		"not JSON":           {Method: "POST", Path: "/api/v1/auth/login", Body: "{"},
		"unknown JSON field": {Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "ana@example.com", "pasword": "x"}},
	} {
		t.Run(name+" is refused without a cookie", func(t *testing.T) {
			rec := Do(t, e.Srv, req)
			if rec.Code != http.StatusUnauthorized && rec.Code != http.StatusBadRequest {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Fatal("cookie set on failure")
			}
		})
	}
	t.Run("wrong password and unknown e-mail look the same", func(t *testing.T) {
		a := Do(t, e.Srv, login("ana@example.com", "nope nope nope"))
		b := Do(t, e.Srv, login("ghost@example.com", "nope nope nope"))
		if a.Code != 401 || b.Code != 401 || a.Body.String() != b.Body.String() {
			t.Fatalf("%d %s / %d %s", a.Code, a.Body, b.Code, b.Body)
		}
	})
	t.Run("without credentials the API answers 401", func(t *testing.T) {
		for _, path := range []string{"/api/v1/me", "/api/v1/conversations", "/api/v1/channels"} {
			if rec := Do(t, e.Srv, Req{Method: "GET", Path: path}); rec.Code != http.StatusUnauthorized || ErrorCodeOf(t, rec) != parley.EUNAUTHORIZED {
				t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
			}
		}
	})
	t.Run("a forged session cookie is refused", func(t *testing.T) {
		forged, _ := auth.NewToken(auth.SessionPrefix)
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: &http.Cookie{Name: "parley_session", Value: forged}})
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("%d", rec.Code)
		}
	})
}

func TestSignOut(t *testing.T) {
	e := MustEnv(t)
	e.MustAgent(t, "bo@example.com", parley.RoleAgent)
	c := e.MustLogin(t, "bo@example.com")
	rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/auth/logout", Cookie: c})
	if rec.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	if cleared := SessionCookie(t, rec.Result().Cookies()); cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Fatalf("cookie not cleared: %+v", cleared)
	}
	if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: c}); rec.Code != http.StatusUnauthorized {
		t.Fatalf("old cookie after logout: %d", rec.Code)
	}
}

func TestSessionLifetime(t *testing.T) {
	e := MustEnv(t)
	e.MustAgent(t, "cy@example.com", parley.RoleAgent)
	t.Run("a day-old session is renewed and the old token retired", func(t *testing.T) {
		old := e.MustLogin(t, "cy@example.com")
		e.Clock.Advance(25 * time.Hour)
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: old})
		if rec.Code != http.StatusOK {
			t.Fatalf("%d", rec.Code)
		}
		renewed := SessionCookie(t, rec.Result().Cookies())
		if renewed.Value == old.Value {
			t.Fatal("not renewed")
		}
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: old}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("old token still works: %d", rec.Code)
		}
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: renewed}); rec.Code != http.StatusOK {
			t.Fatalf("renewed token refused: %d", rec.Code)
		}
	})
	t.Run("an expired session is refused", func(t *testing.T) {
		c := e.MustLogin(t, "cy@example.com")
		e.Clock.Advance(31 * 24 * time.Hour)
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: c}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("%d", rec.Code)
		}
	})
}

func TestInactiveAgentIsLockedOut(t *testing.T) {
	e := MustEnv(t)
	admin := e.MustAgent(t, "admin@example.com", parley.RoleAdmin)
	agent := e.MustAgent(t, "dee@example.com", parley.RoleAgent)
	session := e.MustLogin(t, "dee@example.com")
	token := e.MustToken(t, agent)
	rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/agents/" + itoa(agent.ID), Token: e.MustToken(t, admin), Body: map[string]any{"active": false}})
	if rec.Code != http.StatusOK || MustDecode[parley.Agent](t, rec).Active {
		t.Fatalf("deactivate: %d %s", rec.Code, rec.Body)
	}
	t.Run("cannot sign in", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "dee@example.com", "password": testPassword}})
		if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) != 0 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("existing session stops working", func(t *testing.T) {
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: session}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("API token stops working", func(t *testing.T) {
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Token: token}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("%d", rec.Code)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	e := MustEnv(t)
	e.MustAgent(t, "eve@example.com", parley.RoleAgent)
	e.MustAgent(t, "fay@example.com", parley.RoleAgent)
	attempt := func(email, password, ip string) int {
		req := Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": password}}
		return Do(t, &remoteAddr{e.Srv, ip}, req).Code
	}
	for i := range 5 {
		if code := attempt("eve@example.com", "guess guess "+itoa(int64(i)), "198.51.100.7:4000"); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	t.Run("the sixth attempt is refused even with the right password", func(t *testing.T) {
		rec := Do(t, &remoteAddr{e.Srv, "198.51.100.7:4001"}, Req{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "eve@example.com", "password": testPassword}})
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || len(rec.Result().Cookies()) != 0 {
			t.Fatalf("%d %v", rec.Code, rec.Header())
		}
	})
	t.Run("another address may still sign in to that account", func(t *testing.T) {
		if code := attempt("eve@example.com", testPassword, "203.0.113.9:4000"); code != http.StatusOK {
			t.Fatalf("%d", code)
		}
	})
	t.Run("another account from that address may still sign in", func(t *testing.T) {
		if code := attempt("fay@example.com", testPassword, "198.51.100.7:4002"); code != http.StatusOK {
			t.Fatalf("%d", code)
		}
	})
	t.Run("the bucket refills with time", func(t *testing.T) {
		e.Clock.Advance(time.Minute)
		if code := attempt("eve@example.com", testPassword, "198.51.100.7:4003"); code != http.StatusOK {
			t.Fatalf("%d", code)
		}
	})
}

// remoteAddr sets the peer address of requests.
type remoteAddr struct {
	h    http.Handler
	addr string
}

func (ra *remoteAddr) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.RemoteAddr = ra.addr
	ra.h.ServeHTTP(w, r)
}

func TestCrossOriginProtection(t *testing.T) {
	e := MustEnv(t)
	a := e.MustAgent(t, "gus@example.com", parley.RoleAgent)
	cookie := e.MustLogin(t, "gus@example.com")
	token := e.MustToken(t, a)
	crossSite := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	body := map[string]any{"name": "Gus the Great"}
	t.Run("cookie-authenticated cross-origin PATCH is refused and changes nothing", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/me", Cookie: cookie, Header: crossSite, Body: body})
		if rec.Code != http.StatusForbidden {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if got, _ := e.Store.FindAgentByID(context.Background(), a.ID); got.Name != a.Name {
			t.Fatalf("name changed to %q", got.Name)
		}
	})
	t.Run("cross-origin sign-in is refused", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/auth/login", Header: crossSite,
			Body: map[string]string{"email": "gus@example.com", "password": testPassword}})
		if rec.Code != http.StatusForbidden {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("cross-origin WebSocket upgrade with the cookie is refused", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/ws", Cookie: cookie, Header: crossSite})
		if rec.Code != http.StatusForbidden {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("same-origin PATCH with the cookie works", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/me", Cookie: cookie, Body: body,
			Header: http.Header{"Sec-Fetch-Site": {"same-origin"}}})
		if rec.Code != http.StatusOK || MustDecode[parley.Agent](t, rec).Name != "Gus the Great" {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("a bearer token is not subject to the browser check", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/me", Token: token, Header: crossSite, Body: map[string]any{"name": "Gus"}})
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestAPITokens(t *testing.T) {
	e := MustEnv(t)
	e.MustAgent(t, "hal@example.com", parley.RoleAgent)
	cookie := e.MustLogin(t, "hal@example.com")
	rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/tokens", Cookie: cookie, Body: map[string]string{"name": "CI"}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	created := MustDecode[struct {
		ID     int64  `json:"id"`
		Token  string `json:"token"`
		Prefix string `json:"prefix"`
	}](t, rec)
	t.Run("the plain token is shown once, with its prefix", func(t *testing.T) {
		if !strings.HasPrefix(created.Token, "pt_") || !strings.HasPrefix(created.Token, created.Prefix) {
			t.Fatalf("%+v", created)
		}
		list := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/tokens", Cookie: cookie})
		if list.Code != 200 || strings.Contains(list.Body.String(), created.Token) || !strings.Contains(list.Body.String(), created.Prefix) {
			t.Fatalf("list: %d %s", list.Code, list.Body)
		}
	})
	t.Run("the token authenticates API calls", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Token: created.Token})
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	for name, h := range map[string]string{
		"wrong token":        "Bearer pt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"malformed token":    "Bearer hello",
		"other scheme":       "Basic aGFsOnB3",
		"a session as token": "Bearer ps_" + created.Token[3:],
	} {
		t.Run(name+" is refused, never falling back to the cookie", func(t *testing.T) {
			rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: cookie, Header: http.Header{"Authorization": {h}}})
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("%d", rec.Code)
			}
		})
	}
	t.Run("a revoked token stops working", func(t *testing.T) {
		if rec := Do(t, e.Srv, Req{Method: "DELETE", Path: "/api/v1/tokens/" + itoa(created.ID), Cookie: cookie}); rec.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Token: created.Token}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("%d", rec.Code)
		}
	})
}

func TestSetup(t *testing.T) {
	const token = "setup-token-0123456789"
	body := func(tok string) map[string]string {
		return map[string]string{"token": tok, "email": "root@example.com", "name": "Root", "password": "a long password"}
	}
	t.Run("closed when no setup token is configured", func(t *testing.T) {
		e := MustEnv(t)
		if rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/setup", Body: body("")}); rec.Code != http.StatusForbidden {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	e := MustEnv(t, func(c *httpapi.Config) { c.SetupToken = token })
	t.Run("a wrong token is refused", func(t *testing.T) {
		if rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/setup", Body: body("guess")}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if n, _ := e.Store.CountAgents(context.Background()); n != 0 {
			t.Fatalf("%d agents", n)
		}
	})
	t.Run("the right token creates a signed-in admin", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/setup", Body: body(token)})
		if rec.Code != http.StatusCreated || MustDecode[parley.Agent](t, rec).Role != parley.RoleAdmin {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		c := SessionCookie(t, rec.Result().Cookies())
		if me := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Cookie: c}); me.Code != http.StatusOK {
			t.Fatalf("me: %d", me.Code)
		}
	})
	t.Run("once an agent exists setup is closed, even with the token", func(t *testing.T) {
		b := body(token)
		b["email"] = "second@example.com"
		if rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/setup", Body: b}); rec.Code != http.StatusForbidden {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}
