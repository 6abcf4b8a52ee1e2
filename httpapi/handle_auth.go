package httpapi

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type setupRequest struct {
	Token    string `json:"token"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

type meUpdate struct {
	Name     *string          `json:"name,omitempty"`
	Language *string          `json:"language,omitempty"`
	Presence *parley.Presence `json:"presence,omitempty"`
	Password *string          `json:"password,omitempty"`
}

// minPasswordLen is the shortest password accepted for a new credential.
const minPasswordLen = 8

// dummyHash is verified when the e-mail is unknown so that a wrong address
// costs as long as a wrong password and does not reveal who has an account.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("parley-dummy-password")
	return h
})

var errBadCredentials = parley.Errorf(parley.EUNAUTHORIZED, "wrong e-mail or password")

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	email := normalizeEmail(req.Email)
	if email == "" || req.Password == "" {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "email and password are required"))
		return
	}
	if !s.logins.allow(clientIP(r)+"|"+email, s.clock.Now()) {
		w.Header().Set("Retry-After", "12") // one attempt refills every 12 s
		s.writeError(w, r, parley.Errorf(parley.ERATELIMITED, "too many sign-in attempts; wait a minute and try again"))
		return
	}
	a, err := s.checkPassword(r, email, req.Password)
	if err == nil {
		err = s.startSession(r.Context(), w, a)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// checkPassword returns the agent whose credentials these are, upgrading
// the stored hash when the parameters have changed since it was made.
func (s *Server) checkPassword(r *http.Request, email, password string) (*parley.Agent, error) {
	a, err := s.store.FindAgentByEmail(r.Context(), email)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		_, _ = auth.VerifyPassword(dummyHash(), password)
		return nil, errBadCredentials
	} else if err != nil {
		return nil, err
	}
	ok, err := auth.VerifyPassword(a.PasswordHash, password)
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, errBadCredentials
	}
	if !a.Active {
		return nil, parley.Errorf(parley.EFORBIDDEN, "this account is deactivated")
	}
	if auth.NeedsRehash(a.PasswordHash, auth.DefaultParams) {
		if h, err := auth.HashPassword(password); err == nil {
			if _, err := s.store.UpdateAgent(r.Context(), a.ID, parley.AgentUpdate{PasswordHash: &h}); err != nil {
				s.log.WarnContext(r.Context(), "password rehash failed", requestAttrs(r, "err", err)...)
			}
		}
	}
	return a, nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && auth.LooksLikeToken(c.Value, auth.SessionPrefix) {
		err := s.store.DeleteSession(r.Context(), auth.HashToken(c.Value))
		if err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
			s.writeError(w, r, err)
			return
		}
	}
	s.clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

// handleSetup creates the first admin. It needs the one-time token printed
// at start-up and works only while no agent exists; the mutex keeps two
// simultaneous calls on this node from both passing the count.
func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) {
	var req setupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.checkSetupToken(r, req.Token); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	if n, err := s.store.CountAgents(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	} else if n > 0 {
		s.writeError(w, r, parley.Errorf(parley.EFORBIDDEN, "setup is closed: an agent already exists"))
		return
	}
	a, err := s.createAgent(r, agentCreate{Email: req.Email, Name: req.Name, Password: req.Password, Role: parley.RoleAdmin})
	if err == nil {
		err = s.startSession(r.Context(), w, a)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) checkSetupToken(r *http.Request, token string) error {
	if s.cfg.SetupToken == "" {
		return parley.Errorf(parley.EFORBIDDEN, "setup is closed")
	}
	if !s.logins.allow("setup|"+clientIP(r), s.clock.Now()) {
		return parley.Errorf(parley.ERATELIMITED, "too many setup attempts; wait a minute and try again")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.SetupToken)) != 1 {
		return parley.Errorf(parley.EUNAUTHORIZED, "invalid setup token")
	}
	return nil
}

func (s *Server) handleGetMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, agentFrom(r.Context()))
}

func (s *Server) handlePatchMe(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	var req meUpdate
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	upd, err := agentUpdateFrom(agentPatch{Name: req.Name, Language: req.Language, Presence: req.Presence, Password: req.Password})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.store.UpdateAgent(r.Context(), me.ID, upd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Presence != nil && *req.Presence != me.Presence {
		s.publish(r, &parley.Event{Type: parley.EventPresence, At: s.clock.Now(),
			Presence: &parley.PresenceInfo{AgentID: a.ID, AgentName: a.Name, Presence: a.Presence}})
	}
	writeJSON(w, http.StatusOK, a)
}

func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateEmail(email string) error {
	at := strings.IndexByte(email, '@')
	if at < 1 || at == len(email)-1 || len(email) > 254 || strings.ContainsAny(email, " \t\r\n<>") {
		return parley.Errorf(parley.EINVALID, "email %q is not an e-mail address", email)
	}
	return nil
}

func validateName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return parley.Errorf(parley.EINVALID, "%s is required", field)
	}
	if utf8.RuneCountInString(name) > 200 {
		return parley.Errorf(parley.EINVALID, "%s is longer than 200 characters", field)
	}
	return nil
}

func validatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < minPasswordLen {
		return parley.Errorf(parley.EINVALID, "password must have at least %d characters", minPasswordLen)
	}
	if len(pw) > auth.MaxPasswordBytes {
		return parley.Errorf(parley.EINVALID, "password is longer than %d bytes", auth.MaxPasswordBytes)
	}
	return nil
}
