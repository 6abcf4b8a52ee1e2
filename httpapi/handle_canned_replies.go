package httpapi

import (
	"net/http"

	"github.com/parleyhq/parley"
)

// cannedReplyCreate is the body of POST /api/v1/canned-replies.
type cannedReplyCreate struct {
	Shortcut string                     `json:"shortcut"`
	Title    string                     `json:"title"`
	Body     string                     `json:"body"`
	Variants map[parley.Platform]string `json:"variants,omitempty"`
}

func (s *Server) cannedReplies() (parley.CannedReplyService, error) {
	st, ok := s.store.(parley.CannedReplyService)
	if !ok {
		return nil, parley.Errorf(parley.EUNSUPPORTED, "this store does not keep canned replies")
	}
	return st, nil
}

func (s *Server) handleListCannedReplies(w http.ResponseWriter, r *http.Request) {
	st, err := s.cannedReplies()
	var out []*parley.CannedReply
	if err == nil {
		out, err = st.FindCannedReplies(r.Context(), r.URL.Query().Get("q"))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(out, ""))
}

func (s *Server) handleCreateCannedReply(w http.ResponseWriter, r *http.Request) {
	st, err := s.cannedReplies()
	var req cannedReplyCreate
	if err == nil {
		err = decodeJSON(w, r, &req)
	}
	reply := &parley.CannedReply{Shortcut: req.Shortcut, Title: req.Title, Body: req.Body, Variants: req.Variants}
	if err == nil {
		err = st.CreateCannedReply(r.Context(), reply)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, reply)
}

func (s *Server) handlePatchCannedReply(w http.ResponseWriter, r *http.Request) {
	st, err := s.cannedReplies()
	var id int64
	if err == nil {
		id, err = pathID(r, "id")
	}
	var upd parley.CannedReplyUpdate
	if err == nil {
		err = decodeJSON(w, r, &upd)
	}
	var reply *parley.CannedReply
	if err == nil {
		reply, err = st.UpdateCannedReply(r.Context(), id, upd)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reply)
}

func (s *Server) handleDeleteCannedReply(w http.ResponseWriter, r *http.Request) {
	st, err := s.cannedReplies()
	var id int64
	if err == nil {
		id, err = pathID(r, "id")
	}
	if err == nil {
		err = st.DeleteCannedReply(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
