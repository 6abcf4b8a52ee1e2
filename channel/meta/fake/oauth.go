package fake

import (
	"encoding/json"
	"net/http"
	"strings"
)

// oauthState is the fake's view of users, login codes and linked accounts
// (PLATFORMS.md §9, §4 Embedded Signup).
type oauthState struct {
	codes     map[string]string   // login code → short-lived user token
	users     map[string][]string // user token (short or long) → page ids
	longLived map[string]string   // long-lived token → short-lived it came from
	instagram map[string]string   // page id → linked Instagram account id
}

func newOAuthState() oauthState {
	return oauthState{codes: map[string]string{}, users: map[string][]string{}, longLived: map[string]string{}, instagram: map[string]string{}}
}

// AddLogin makes code (as the login dialog would return it) exchangeable
// for userToken, a user managing pageIDs (registered with AddPage).
func (s *Server) AddLogin(code, userToken string, pageIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.codes[code] = userToken
	s.oauth.users[userToken] = pageIDs
}

// LinkInstagram links an Instagram account to a Page (GET /me?fields=instagram_business_account).
func (s *Server) LinkInstagram(pageID, igID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.instagram[pageID] = igID
}

// routeOAuth answers the onboarding calls; ok is false for other paths.
// s.mu is held.
func (s *Server) routeOAuth(parts []string, token string, rec *Request, r *http.Request) (int, any, bool) {
	q := r.URL.Query()
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	switch {
	case get && len(parts) == 2 && parts[0] == "oauth" && parts[1] == "access_token":
		st, a := s.tokenExchange(q.Get("client_id"), q.Get("client_secret"), q.Get("code"), q.Get("grant_type"), q.Get("fb_exchange_token"))
		return st, a, true
	case get && len(parts) == 1 && parts[0] == "debug_token":
		st, a := s.debugToken(q.Get("input_token"), token)
		return st, a, true
	case get && len(parts) == 2 && parts[0] == "me" && parts[1] == "accounts":
		st, a := s.pages(token)
		return st, a, true
	case get && len(parts) == 1 && parts[0] == "me" && q.Get("fields") == "instagram_business_account":
		st, a := s.linkedInstagram(token)
		return st, a, true
	case get && len(parts) == 2 && parts[1] == "phone_numbers":
		st, a := s.phoneNumbers(parts[0], token)
		return st, a, true
	case post && len(parts) == 2 && parts[1] == "register":
		st, a := s.register(parts[0], token, rec.Body)
		return st, a, true
	case post && len(parts) == 2 && parts[1] == "subscribed_apps" && s.wabaAccount(parts[0]) != nil:
		if a := s.wabaAccount(parts[0]); a.token != token {
			st, ans := errAnswer(invalidToken)
			return st, ans, true
		}
		return 200, map[string]any{"success": true}, true
	}
	return 0, nil, false
}

var invalidToken = GraphError{HTTPStatus: 401, Code: 190, Type: "OAuthException", Message: "Invalid OAuth access token - Cannot parse access token"}

func (s *Server) tokenExchange(clientID, secret, code, grant, exchange string) (int, any) {
	if clientID != s.cfg.AppID || secret != s.cfg.AppSecret || clientID == "" {
		return errAnswer(GraphError{HTTPStatus: 400, Code: 101, Type: "OAuthException", Message: "Error validating application. Invalid application ID or client secret."})
	}
	if grant == "fb_exchange_token" {
		if _, ok := s.oauth.users[exchange]; !ok {
			return errAnswer(invalidToken)
		}
		long := "LL" + exchange
		s.oauth.users[long] = s.oauth.users[exchange]
		s.oauth.longLived[long] = exchange
		return 200, map[string]any{"access_token": long, "token_type": "bearer", "expires_in": 5183944}
	}
	user, ok := s.oauth.codes[code]
	if !ok {
		return errAnswer(GraphError{HTTPStatus: 400, Code: 100, Subcode: 36007, Type: "OAuthException", Message: "Invalid verification code format."})
	}
	delete(s.oauth.codes, code) // a code works once
	return 200, map[string]any{"access_token": user, "token_type": "bearer", "expires_in": 5400}
}

func (s *Server) debugToken(input, appToken string) (int, any) {
	if appToken != s.cfg.AppID+"|"+s.cfg.AppSecret {
		return errAnswer(invalidToken)
	}
	data := map[string]any{"app_id": s.cfg.AppID, "is_valid": false}
	if pages, ok := s.oauth.users[input]; ok {
		data = map[string]any{"app_id": s.cfg.AppID, "type": "USER", "is_valid": true, "expires_at": 0,
			"scopes":          []string{"pages_messaging", "pages_manage_metadata", "whatsapp_business_messaging"},
			"granular_scopes": []any{map[string]any{"scope": "pages_messaging", "target_ids": pages}}}
	}
	for _, a := range s.accounts {
		if a.kind == KindWhatsApp && a.token == input {
			data = map[string]any{"app_id": s.cfg.AppID, "type": "SYSTEM_USER", "is_valid": true,
				"scopes":          []string{"whatsapp_business_messaging", "whatsapp_business_management"},
				"granular_scopes": []any{map[string]any{"scope": "whatsapp_business_management", "target_ids": []string{a.wabaID}}}}
		}
	}
	return 200, map[string]any{"data": data}
}

func (s *Server) pages(userToken string) (int, any) {
	ids, ok := s.oauth.users[userToken]
	if !ok {
		return errAnswer(invalidToken)
	}
	data := []any{}
	for _, id := range ids {
		if a, ok := s.accounts[id]; ok {
			data = append(data, map[string]any{"id": id, "name": "Page " + id, "access_token": a.token, "tasks": []string{"MANAGE", "MESSAGING"}})
		}
	}
	return 200, map[string]any{"data": data}
}

func (s *Server) linkedInstagram(pageToken string) (int, any) {
	for id, a := range s.accounts {
		if a.kind == KindPage && a.token == pageToken {
			out := map[string]any{"id": id}
			if ig := s.oauth.instagram[id]; ig != "" {
				out["instagram_business_account"] = map[string]any{"id": ig}
			}
			return 200, out
		}
	}
	return errAnswer(invalidToken)
}

func (s *Server) wabaAccount(wabaID string) *account {
	for _, a := range s.accounts {
		if a.kind == KindWhatsApp && a.wabaID == wabaID {
			return a
		}
	}
	return nil
}

func (s *Server) phoneNumbers(wabaID, token string) (int, any) {
	data := []any{}
	found := false
	for id, a := range s.accounts {
		if a.kind == KindWhatsApp && a.wabaID == wabaID {
			if a.token != token {
				return errAnswer(invalidToken)
			}
			found = true
			data = append(data, map[string]any{"id": id, "display_phone_number": "+1 555-000-" + id[len(id)-min(4, len(id)):], "verified_name": "Parley Demo", "quality_rating": "GREEN"})
		}
	}
	if !found {
		return errAnswer(badParam("Unsupported get request. Object with ID '%s' does not exist", wabaID))
	}
	return 200, map[string]any{"data": data}
}

func (s *Server) register(phoneID, token string, body []byte) (int, any) {
	a, ok := s.accounts[phoneID]
	if !ok || a.kind != KindWhatsApp {
		return errAnswer(badParam("Unsupported post request. Object with ID '%s' does not exist", phoneID))
	}
	if a.token != token {
		return errAnswer(invalidToken)
	}
	var req struct {
		MessagingProduct string `json:"messaging_product"`
		Pin              string `json:"pin"`
	}
	_ = json.Unmarshal(body, &req)
	if req.MessagingProduct != "whatsapp" || len(req.Pin) != 6 || strings.Trim(req.Pin, "0123456789") != "" {
		return errAnswer(badParam("Param pin must be a 6-digit code and messaging_product whatsapp"))
	}
	return 200, map[string]any{"success": true}
}
