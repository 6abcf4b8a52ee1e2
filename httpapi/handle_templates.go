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

// syncTemplatesOnCreate fetches a new channel's templates when its platform
// has them, so the composer can offer them at once and sends are checked
// from the start. A failure only delays that to the hourly sync.
func (s *Server) syncTemplatesOnCreate(r *http.Request, ch *parley.Channel) {
	a, err := s.cfg.Adapters.Adapter(ch)
	if err != nil {
		return
	}
	if _, ok := a.(parley.TemplateSource); !ok {
		return
	}
	if err := pipeline.SyncTemplates(r.Context(), s.store, s.cfg.Adapters, ch); err != nil {
		s.log.WarnContext(r.Context(), "syncing the new channel's templates", requestAttrs(r, "channel_id", ch.ID, "err", err)...)
	}
}
