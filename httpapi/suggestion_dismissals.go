package httpapi

import "net/http"

// handleListDismissals lists the contacts a contact was judged different
// from: with whom, by whom, when, and the merge that carried it over.
func (s *Server) handleListDismissals(w http.ResponseWriter, r *http.Request) {
	s.withContact(w, r, func(st identityStore, id int64) (any, error) {
		if _, err := s.store.FindContactByID(r.Context(), id); err != nil {
			return nil, err
		}
		got, err := st.SuggestionDismissals(r.Context(), id)
		if err != nil {
			return nil, err
		}
		return pageOf(got, ""), nil
	})
}

// handleUndoDismissal takes a dismissal back, for an agent who judged two
// contacts different by mistake: they are suggested for each other again.
func (s *Server) handleUndoDismissal(w http.ResponseWriter, r *http.Request) {
	st, err := s.identityStore()
	var id, other int64
	if err == nil {
		id, err = pathID(r, "id")
	}
	if err == nil {
		other, err = pathID(r, "otherID")
	}
	if err == nil {
		err = st.UndoDismissal(r.Context(), id, other)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
