package httpapi

import (
	"net/http"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

type tokenCreate struct {
	Name string `json:"name"`
}

// tokenCreated is the only response that ever holds a token's plain value.
type tokenCreated struct {
	*parley.APIToken
	Token string `json:"token"`
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.store.FindAPITokens(r.Context(), agentFrom(r.Context()).ID)
	writePaged(s, w, r, tokens, func(t *parley.APIToken) string { return idKey(t.ID) }, err)
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	var req tokenCreate
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	name := strings.TrimSpace(req.Name)
	if err := validateName("name", name); err != nil {
		s.writeError(w, r, err)
		return
	}
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	t := &parley.APIToken{AgentID: agentFrom(r.Context()).ID, Name: name, Prefix: auth.DisplayPrefix(plain), TokenHash: hash}
	if err := s.store.CreateAPIToken(r.Context(), t); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tokenCreated{APIToken: t, Token: plain})
}

func (s *Server) handleDeleteToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.store.DeleteAPIToken(r.Context(), agentFrom(r.Context()).ID, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
