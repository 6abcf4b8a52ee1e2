package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

// authVia says how a request proved who it is.
type authVia int

const (
	viaNone authVia = iota
	viaSession
	viaToken
)

// agentFrom returns the signed-in agent of an authenticated route.
func agentFrom(ctx context.Context) *parley.Agent {
	a, _ := ctx.Value(agentKey).(*parley.Agent)
	return a
}

// bearerToken returns the Authorization: Bearer value, if any.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", true // present but not ours: refused below, never ignored
	}
	return strings.TrimSpace(token), true
}

// authenticate finds the agent behind the request: an API token if an
// Authorization header is present (never falling back to the cookie), else
// the session cookie. Only active agents pass.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*parley.Agent, authVia, error) {
	if token, ok := bearerToken(r); ok {
		a, err := s.agentByAPIToken(r.Context(), token)
		return a, viaToken, err
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, viaNone, parley.Errorf(parley.EUNAUTHORIZED, "sign in or send an API token")
	}
	a, err := s.agentBySession(w, r, c.Value)
	return a, viaSession, err
}

// agentByAPIToken costs one SHA-256 and one indexed lookup: tokens carry 256
// random bits, so no slow hash is needed (see package auth).
func (s *Server) agentByAPIToken(ctx context.Context, token string) (*parley.Agent, error) {
	refused := parley.Errorf(parley.EUNAUTHORIZED, "invalid API token")
	if !auth.LooksLikeToken(token, auth.APITokenPrefix) {
		return nil, refused
	}
	t, err := s.store.FindAPITokenByHash(ctx, auth.HashToken(token))
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, refused
	} else if err != nil {
		return nil, err
	}
	return s.activeAgent(ctx, t.AgentID, refused)
}

// agentBySession checks the session cookie, renewing a session older than a
// day so that an agent who keeps working stays signed in (sliding expiry).
func (s *Server) agentBySession(w http.ResponseWriter, r *http.Request, token string) (*parley.Agent, error) {
	ctx := r.Context()
	refused := parley.Errorf(parley.EUNAUTHORIZED, "session expired; sign in again")
	if !auth.LooksLikeToken(token, auth.SessionPrefix) {
		return nil, refused
	}
	hash := auth.HashToken(token)
	sess, err := s.store.FindSession(ctx, hash)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, refused
	} else if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if !now.Before(sess.ExpiresAt) {
		_ = s.store.DeleteSession(ctx, hash)
		return nil, refused
	}
	a, err := s.activeAgent(ctx, sess.AgentID, refused)
	if err != nil {
		return nil, err
	}
	if now.Sub(sess.CreatedAt) > sessionRenewAfter {
		s.renewSession(w, r, a, hash)
	}
	return a, nil
}

// renewSession replaces an old session with a fresh one. A failure only
// costs the renewal: the current session is still valid.
func (s *Server) renewSession(w http.ResponseWriter, r *http.Request, a *parley.Agent, oldHash []byte) {
	if err := s.startSession(r.Context(), w, a); err != nil {
		s.log.WarnContext(r.Context(), "session renewal failed", requestAttrs(r, "err", err)...)
		return
	}
	if err := s.store.DeleteSession(r.Context(), oldHash); err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
		s.log.WarnContext(r.Context(), "deleting renewed session failed", requestAttrs(r, "err", err)...)
	}
}

func (s *Server) activeAgent(ctx context.Context, id int64, refused error) (*parley.Agent, error) {
	a, err := s.store.FindAgentByID(ctx, id)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, refused
	} else if err != nil {
		return nil, err
	}
	if !a.Active {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "this account is deactivated")
	}
	return a, nil
}

// startSession stores a new session (its hash only) and sets the cookie.
func (s *Server) startSession(ctx context.Context, w http.ResponseWriter, a *parley.Agent) error {
	plain, hash := auth.NewToken(auth.SessionPrefix)
	now := s.clock.Now()
	sess := &parley.Session{TokenHash: hash, AgentID: a.ID, CreatedAt: now, ExpiresAt: now.Add(sessionLifetime)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: plain, Path: "/", Expires: sess.ExpiresAt, MaxAge: int(sessionLifetime.Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// requireRole refuses agents below min.
func requireRole(a *parley.Agent, min parley.Role) error {
	if a == nil || !a.Role.AtLeast(min) {
		return parley.Errorf(parley.EFORBIDDEN, "this needs the %s role", min)
	}
	return nil
}
