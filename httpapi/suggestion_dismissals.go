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
	s.onContactPair(w, r, func(st identityStore, id, other int64) error {
		return st.UndoDismissal(r.Context(), id, other)
	})
}
