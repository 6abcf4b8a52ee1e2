package fake

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Instagram API with Instagram Login (PLATFORMS.md §9): the code exchange
// on api.instagram.com and the token exchange on graph.instagram.com are
// unversioned paths; the profile and subscription calls are versioned.
// One fake server plays both hosts.

// igLogin is a code waiting to be exchanged, and the short-lived tokens.
type igLogin struct {
	codes  map[string]string    // code → Instagram account id
	short  map[string]string    // short-lived token → Instagram account id
	issued map[string]time.Time // long-lived tokens issued by exchange or refresh
}

// AddInstagramLogin makes code (as Instagram's authorize dialog would
// return it) exchangeable for the account igID (registered with
// AddInstagram); the long-lived token is the account's token.
func (s *Server) AddInstagramLogin(code, igID string) {
	s.withAccount(igID, func(*account) {
		if s.igLogin.codes == nil {
			s.igLogin = igLogin{codes: map[string]string{}, short: map[string]string{}, issued: map[string]time.Time{}}
		}
		s.igLogin.codes[code] = igID
	})
}

// routeInstagramOAuth answers the unversioned Instagram OAuth calls; ok is
// false for other paths. s.mu is held.
func (s *Server) routeInstagramOAuth(r *http.Request, form url.Values) (int, any, bool) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/oauth/access_token":
		st, a := s.igCodeExchange(form)
		return st, a, true
	case r.Method == http.MethodGet && r.URL.Path == "/access_token":
		st, a := s.igLongLived(r.URL.Query())
		return st, a, true
	case r.Method == http.MethodGet && r.URL.Path == "/refresh_access_token":
		st, a := s.igRefresh(r.URL.Query())
		return st, a, true
	}
	return 0, nil, false
}

// igError is Instagram's OAuth error shape (not the Graph envelope).
func igError(msg string) (int, any) {
	return 400, map[string]any{"error_type": "OAuthException", "code": 400, "error_message": msg}
}

func (s *Server) igCodeExchange(form url.Values) (int, any) {
	if form.Get("client_id") == "" || form.Get("client_id") != s.cfg.AppID || form.Get("client_secret") != s.cfg.AppSecret {
		return igError("Invalid platform app")
	}
	if form.Get("grant_type") != "authorization_code" || form.Get("redirect_uri") == "" {
		return igError("Missing required field grant_type=authorization_code or redirect_uri")
	}
	igID, ok := s.igLogin.codes[form.Get("code")]
	if !ok {
		return igError("Matching code was not found or was already used")
	}
	delete(s.igLogin.codes, form.Get("code")) // a code works once
	short := "IGS" + s.nextID("")
	s.igLogin.short[short] = igID
	return 200, map[string]any{"data": []any{map[string]any{"access_token": short, "user_id": igID,
		"permissions": "instagram_business_basic,instagram_business_manage_messages,instagram_business_manage_comments"}}}
}

func (s *Server) igLongLived(q url.Values) (int, any) {
	if q.Get("grant_type") != "ig_exchange_token" || q.Get("client_secret") != s.cfg.AppSecret || s.cfg.AppSecret == "" {
		return errAnswer(GraphError{HTTPStatus: 400, Code: 101, Type: "OAuthException", Message: "Error validating application. Invalid application secret or grant_type."})
	}
	igID, ok := s.igLogin.short[q.Get("access_token")]
	if !ok {
		return errAnswer(invalidToken)
	}
	token := s.accounts[igID].token
	s.igLogin.issued[token] = s.cfg.Now()
	return 200, map[string]any{"access_token": token, "token_type": "bearer", "expires_in": 5184000}
}

// igRefresh answers GET /refresh_access_token: a long-lived token at least
// 24 hours old becomes a new one (the account's token from then on).
func (s *Server) igRefresh(q url.Values) (int, any) {
	a := s.igAccountByToken(q.Get("access_token"))
	if q.Get("grant_type") != "ig_refresh_token" || a == nil {
		return errAnswer(invalidToken)
	}
	if at, ok := s.igLogin.issued[a.token]; ok && s.cfg.Now().Sub(at) < day {
		return errAnswer(GraphError{HTTPStatus: 400, Code: 100, Type: "OAuthException", Message: "(#100) The access token must be at least 24 hours old to be refreshed."})
	}
	a.token = "IGR" + s.nextID("")
	if s.igLogin.issued == nil {
		s.igLogin.issued = map[string]time.Time{}
	}
	s.igLogin.issued[a.token] = s.cfg.Now()
	return 200, map[string]any{"access_token": a.token, "token_type": "bearer", "expires_in": 5184000}
}

// igAccountByToken is the Instagram account a token belongs to.
func (s *Server) igAccountByToken(token string) *account {
	for _, a := range s.accounts {
		if a.kind == KindInstagram && a.token == token && token != "" {
			return a
		}
	}
	return nil
}

// routeInstagramMe answers GET /me and POST /me/subscribed_apps made with
// an Instagram user token; ok is false for other calls. s.mu is held.
func (s *Server) routeInstagramMe(parts []string, token string, r *http.Request, q url.Values) (int, any, bool) {
	a := s.igAccountByToken(token)
	if a == nil || parts[0] != "me" {
		return 0, nil, false
	}
	switch {
	case r.Method == http.MethodGet && len(parts) == 1:
		all := map[string]any{"id": "app-scoped-" + a.id, "user_id": a.id, "username": "shop_" + a.id, "name": "Shop " + a.id, "account_type": "BUSINESS"}
		out := map[string]any{"id": all["id"]}
		for _, f := range strings.Split(q.Get("fields"), ",") {
			if v, ok := all[strings.TrimSpace(f)]; ok {
				out[strings.TrimSpace(f)] = v
			}
		}
		return 200, out, true
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "subscribed_apps":
		if q.Get("subscribed_fields") == "" {
			st, ans := errAnswer(badParam("The parameter subscribed_fields is required."))
			return st, ans, true
		}
		return 200, map[string]any{"success": true}, true
	}
	return 0, nil, false
}
