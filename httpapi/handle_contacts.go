package httpapi

import (
	"net/http"

	"github.com/parleyhq/parley"
)

type contactCreate struct {
	Name       string            `json:"name"`
	Email      string            `json:"email,omitempty"`
	Phone      string            `json:"phone,omitempty"`
	Company    string            `json:"company,omitempty"`
	Tier       string            `json:"tier,omitempty"`
	Language   string            `json:"language,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

func (s *Server) handleListContacts(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(r, "q", "tier", "cursor", "limit")
	f := parley.ContactFilter{Query: q.string("q"), Tier: q.string("tier"), Page: q.page()}
	if q.err != nil {
		s.writeError(w, r, q.err)
		return
	}
	contacts, next, err := s.store.FindContacts(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(s.visibleContacts(r.Context(), contacts), next))
}

func (s *Server) handleCreateContact(w http.ResponseWriter, r *http.Request) {
	var req contactCreate
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := validateName("name", req.Name); err != nil {
		s.writeError(w, r, err)
		return
	}
	c := &parley.Contact{Name: req.Name, Email: req.Email, Phone: req.Phone, Company: req.Company,
		Tier: req.Tier, Language: req.Language, Attributes: req.Attributes}
	if err := s.store.CreateContact(r.Context(), c); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.visibleContact(r.Context(), c))
}

func (s *Server) handleGetContact(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.store.FindContactByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.visibleContact(r.Context(), c))
}

func (s *Server) handlePatchContact(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var upd parley.ContactUpdate
	if err := decodeJSON(w, r, &upd); err != nil {
		s.writeError(w, r, err)
		return
	}
	if upd.Name != nil {
		if err := validateName("name", *upd.Name); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	c, err := s.store.UpdateContact(r.Context(), id, upd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.publish(r, &parley.Event{Type: parley.EventContactUpdated, Contact: c, At: s.clock.Now()})
	writeJSON(w, http.StatusOK, s.visibleContact(r.Context(), c))
}

func (s *Server) handleContactConversations(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.store.FindContactByID(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	q := parseQuery(r, "cursor", "limit")
	f := parley.ConversationFilter{View: parley.ViewAll, AgentID: agentFrom(r.Context()).ID, ContactID: &id,
		Sort: parley.SortNewest, Page: q.page()}
	if q.err != nil {
		s.writeError(w, r, q.err)
		return
	}
	s.listConversations(w, r, f)
}
