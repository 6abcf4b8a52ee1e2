package httpapi

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

type tagRequest struct {
	Name  string `json:"name"`
	Color string `json:"color,omitempty"`
}

type agentCreate struct {
	Email    string      `json:"email"`
	Name     string      `json:"name"`
	Role     parley.Role `json:"role"`
	Password string      `json:"password"`
	Language string      `json:"language,omitempty"`
	Capacity int         `json:"capacity,omitempty"`
	TeamIDs  []int64     `json:"team_ids,omitempty"`
}

type agentPatch struct {
	Name     *string          `json:"name,omitempty"`
	Role     *parley.Role     `json:"role,omitempty"`
	Active   *bool            `json:"active,omitempty"`
	Language *string          `json:"language,omitempty"`
	Presence *parley.Presence `json:"presence,omitempty"`
	Capacity *int             `json:"capacity,omitempty"`
	Password *string          `json:"password,omitempty"`
}

type teamCreate struct {
	Name     string  `json:"name"`
	AgentIDs []int64 `json:"agent_ids"`
}

type teamPatch struct {
	Name     *string  `json:"name,omitempty"`
	AgentIDs *[]int64 `json:"agent_ids,omitempty"`
}

var colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func (s *Server) handleListTags(w http.ResponseWriter, r *http.Request) {
	tags, err := s.store.FindTags(r.Context())
	writePaged(s, w, r, tags, func(t *parley.Tag) string { return t.Name }, err)
}

func (s *Server) handleCreateTag(w http.ResponseWriter, r *http.Request) {
	var req tagRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	err := validateTagName(req.Name)
	if err == nil && req.Color != "" && !colorPattern.MatchString(req.Color) {
		err = parley.Errorf(parley.EINVALID, "color must look like #1a2b3c")
	}
	t := &parley.Tag{Name: req.Name, Color: req.Color}
	if err == nil {
		err = s.store.UpsertTag(r.Context(), t)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) handleDeleteTag(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	err := validateTagName(name)
	if err == nil {
		err = s.store.DeleteTag(r.Context(), name)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleListAgents(w http.ResponseWriter, r *http.Request) {
	agents, err := s.store.FindAgents(r.Context())
	writePaged(s, w, r, agents, func(a *parley.Agent) string { return idKey(a.ID) }, err)
}

func (s *Server) handleCreateAgent(w http.ResponseWriter, r *http.Request) {
	var req agentCreate
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.createAgent(r, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

// createAgent validates and stores a new active agent with a hashed password.
func (s *Server) createAgent(r *http.Request, req agentCreate) (*parley.Agent, error) {
	a := &parley.Agent{Email: normalizeEmail(req.Email), Name: strings.TrimSpace(req.Name), Role: req.Role,
		Active: true, Language: req.Language, Presence: parley.PresenceOffline, Capacity: req.Capacity, TeamIDs: req.TeamIDs}
	if a.Language == "" {
		a.Language = "en"
	}
	if err := validateEmail(a.Email); err != nil {
		return nil, err
	} else if err := validateName("name", a.Name); err != nil {
		return nil, err
	} else if !a.Role.Valid() {
		return nil, parley.Errorf(parley.EINVALID, "role %q is not one of admin, supervisor, agent", req.Role)
	} else if err := validatePassword(req.Password); err != nil {
		return nil, err
	} else if a.Capacity < 0 {
		return nil, parley.Errorf(parley.EINVALID, "capacity must not be negative")
	}
	for _, id := range a.TeamIDs {
		if err := s.checkReferences(r.Context(), nil, &id); err != nil {
			return nil, err
		}
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		return nil, err
	}
	a.PasswordHash = hash
	if err := s.store.CreateAgent(r.Context(), a); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Server) handlePatchAgent(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req agentPatch
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if id == me.ID && (req.Active != nil && !*req.Active || req.Role != nil && *req.Role != parley.RoleAdmin) {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "you cannot deactivate or demote yourself; ask another admin"))
		return
	}
	upd, err := agentUpdateFrom(req)
	if err == nil && req.Role != nil && !req.Role.Valid() {
		err = parley.Errorf(parley.EINVALID, "role %q is not one of admin, supervisor, agent", *req.Role)
	}
	if err == nil && req.Capacity != nil && *req.Capacity < 0 {
		err = parley.Errorf(parley.EINVALID, "capacity must not be negative")
	}
	upd.Role, upd.Active, upd.Capacity = req.Role, req.Active, req.Capacity
	var a *parley.Agent
	if err == nil {
		a, err = s.store.UpdateAgent(r.Context(), id, upd)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Role != nil || req.Active != nil {
		s.refreshRealtimeAgent(r.Context(), id)
	}
	writeJSON(w, http.StatusOK, a)
}

// agentRefresher is the part of the realtime hub that reloads a connected
// agent, so that a new role's rights (which tickets, masked contact
// details) or a deactivation apply to their open sockets at once on this
// node; other nodes catch up within their refresh interval.
type agentRefresher interface {
	RefreshAgent(ctx context.Context, agentID int64) error
}

func (s *Server) refreshRealtimeAgent(ctx context.Context, agentID int64) {
	if rt, ok := s.cfg.Realtime.(agentRefresher); ok {
		if err := rt.RefreshAgent(ctx, agentID); err != nil {
			s.log.WarnContext(ctx, "realtime keeps the agent's previous rights until its next refresh", "agent_id", agentID, "err", err)
		}
	}
}

// agentUpdateFrom validates the fields an agent may change about
// themselves (name, language, presence, password) and hashes the password.
func agentUpdateFrom(p agentPatch) (parley.AgentUpdate, error) {
	upd := parley.AgentUpdate{Name: p.Name, Language: p.Language, Presence: p.Presence}
	if p.Name != nil {
		trimmed := strings.TrimSpace(*p.Name)
		if err := validateName("name", trimmed); err != nil {
			return upd, err
		}
		upd.Name = &trimmed
	}
	if p.Language != nil && (len(*p.Language) > 35 || strings.TrimSpace(*p.Language) == "") {
		return upd, parley.Errorf(parley.EINVALID, "language must be a language tag such as en or zh-CN")
	}
	if p.Presence != nil {
		switch *p.Presence {
		case parley.PresenceOnline, parley.PresenceAway, parley.PresenceOffline:
		default:
			return upd, parley.Errorf(parley.EINVALID, "presence %q is not one of online, away, offline", *p.Presence)
		}
	}
	if p.Password != nil {
		if err := validatePassword(*p.Password); err != nil {
			return upd, err
		}
		hash, err := auth.HashPassword(*p.Password)
		if err != nil {
			return upd, err
		}
		upd.PasswordHash = &hash
	}
	return upd, nil
}

func (s *Server) handleListTeams(w http.ResponseWriter, r *http.Request) {
	teams, err := s.store.FindTeams(r.Context())
	writePaged(s, w, r, teams, func(t *parley.Team) string { return idKey(t.ID) }, err)
}

func (s *Server) handleCreateTeam(w http.ResponseWriter, r *http.Request) {
	var req teamCreate
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	t := &parley.Team{Name: strings.TrimSpace(req.Name), AgentIDs: req.AgentIDs}
	if t.AgentIDs == nil {
		t.AgentIDs = []int64{}
	}
	err := validateName("name", t.Name)
	if err == nil {
		err = s.checkAgents(r, t.AgentIDs)
	}
	if err == nil {
		err = s.store.CreateTeam(r.Context(), t)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) handlePatchTeam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req teamPatch
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var members []int64 // nil leaves members alone; non-nil replaces them
	if req.AgentIDs != nil {
		members = append([]int64{}, *req.AgentIDs...)
		err = s.checkAgents(r, members)
	}
	if err == nil && req.Name != nil {
		trimmed := strings.TrimSpace(*req.Name)
		req.Name, err = &trimmed, validateName("name", trimmed)
	}
	var t *parley.Team
	if err == nil {
		t, err = s.store.UpdateTeam(r.Context(), id, req.Name, members)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) handleDeleteTeam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.store.DeleteTeam(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkAgents turns unknown member ids into a clear 400.
func (s *Server) checkAgents(r *http.Request, ids []int64) error {
	for _, id := range ids {
		if _, err := s.store.FindAgentByID(r.Context(), id); parley.ErrorCode(err) == parley.ENOTFOUND {
			return parley.Errorf(parley.EINVALID, "agent %d does not exist", id)
		} else if err != nil {
			return err
		}
	}
	return nil
}
