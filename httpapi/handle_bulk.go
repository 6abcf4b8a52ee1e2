package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/parleyhq/parley"
)

// maxBulkIDs bounds one bulk action (the largest page an inbox shows).
const maxBulkIDs = parley.MaxPageLimit

type bulkRequest struct {
	IDs        []int64        `json:"ids"`
	AssigneeID *int64         `json:"assignee_id,omitempty"`
	TeamID     *int64         `json:"team_id,omitempty"`
	AddTags    []string       `json:"add_tags,omitempty"`
	Status     *parley.Status `json:"status,omitempty"`
}

type bulkResponse struct {
	Updated []*parley.Conversation `json:"updated"`
	Failed  []bulkFailure          `json:"failed"`
}

type bulkFailure struct {
	ID    int64     `json:"id"`
	Error ErrorInfo `json:"error"`
}

// handleBulkConversations applies one change to many tickets. Each ticket is
// updated on its own with the version stored at that moment, so one
// failure (hidden, gone, changed meanwhile) does not stop the others; the
// answer reports every id.
func (s *Server) handleBulkConversations(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	var req bulkRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.validateBulk(r, req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := bulkResponse{Updated: []*parley.Conversation{}, Failed: []bulkFailure{}}
	seen := map[int64]bool{}
	for _, id := range req.IDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		after, err := s.bulkUpdateOne(r, me, id, req)
		if err != nil {
			info := errorInfo(err)
			if info.Code == parley.EINTERNAL {
				s.log.ErrorContext(r.Context(), "bulk update failed", requestAttrs(r, slog.Int64("conversation_id", id), slog.Any("err", err))...)
			}
			info.Details = nil // the current ticket is refetched by the client if it cares
			resp.Failed = append(resp.Failed, bulkFailure{ID: id, Error: info})
			continue
		}
		resp.Updated = append(resp.Updated, after)
	}
	if err := s.attachContacts(r.Context(), resp.Updated...); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) validateBulk(r *http.Request, req bulkRequest) error {
	if len(req.IDs) == 0 || len(req.IDs) > maxBulkIDs {
		return parley.Errorf(parley.EINVALID, "ids must list 1 to %d conversations", maxBulkIDs)
	}
	for _, id := range req.IDs {
		if id <= 0 {
			return parley.Errorf(parley.EINVALID, "ids must be positive integers")
		}
	}
	if req.AssigneeID == nil && req.TeamID == nil && len(req.AddTags) == 0 && req.Status == nil {
		return parley.Errorf(parley.EINVALID, "nothing to change: set assignee_id, team_id, add_tags or status")
	}
	if req.Status != nil && (!req.Status.Valid() || *req.Status == parley.StatusSnoozed) {
		return parley.Errorf(parley.EINVALID, "status %q cannot be set in bulk (open, pending, resolved, closed)", *req.Status)
	}
	if err := validateTagNames(req.AddTags); err != nil {
		return err
	}
	return s.checkReferences(r.Context(), req.AssigneeID, req.TeamID)
}

func (s *Server) bulkUpdateOne(r *http.Request, me *parley.Agent, id int64, req bulkRequest) (*parley.Conversation, error) {
	before, err := s.visibleConversation(r.Context(), me, id)
	if err != nil {
		return nil, err
	}
	upd := parley.ConversationUpdate{
		Version: before.Version, AssigneeID: req.AssigneeID, TeamID: req.TeamID,
		AddTags: req.AddTags, Status: req.Status, ActorAgentID: &me.ID,
	}
	after, err := s.store.UpdateConversation(r.Context(), id, upd)
	if err != nil {
		return nil, err
	}
	s.publishConversationChange(r, before, after)
	return after, nil
}
