package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/pipeline"
)

// templateList is the composer's template picker: a channel's templates
// as last synced from the platform.
type templateList struct {
	Items    []*parley.Template `json:"items"`
	SyncedAt *time.Time         `json:"synced_at,omitempty"`
}

func (s *Server) templateStore() (parley.TemplateService, error) {
	st, ok := s.store.(parley.TemplateService)
	if !ok {
		return nil, parley.Errorf(parley.EUNSUPPORTED, "this store does not keep message templates")
	}
	return st, nil
}

func (s *Server) handleListTemplates(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var out templateList
	if err == nil {
		_, err = s.store.FindChannelByID(r.Context(), id)
	}
	if err == nil {
		out, err = s.findTemplates(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleSyncTemplates(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var ch *parley.Channel
	if err == nil {
		ch, err = s.store.FindChannelByID(r.Context(), id)
	}
	if err == nil {
		err = pipeline.SyncTemplates(r.Context(), s.store, s.cfg.Adapters, ch)
	}
	var out templateList
	if err == nil {
		out, err = s.findTemplates(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) findTemplates(ctx context.Context, channelID int64) (templateList, error) {
	st, err := s.templateStore()
	if err != nil {
		return templateList{}, err
	}
	items, synced, err := st.FindTemplates(ctx, channelID)
	return templateList{Items: items, SyncedAt: synced}, err
}
