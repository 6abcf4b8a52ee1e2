package httpapi

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
)

// channelCreate is the only place secrets come in; parley.Channel never
// serialises them, so they cannot come back out.
type channelCreate struct {
	Platform parley.Platform   `json:"platform"`
	Name     string            `json:"name"`
	Config   map[string]string `json:"config,omitempty"`
	Secrets  map[string]string `json:"secrets,omitempty"`
}

// platformLister is implemented by the adapter registry (channel.Registry).
type platformLister interface {
	Platforms() []parley.Platform
}

func (s *Server) handleListChannels(w http.ResponseWriter, r *http.Request) {
	chans, err := s.store.FindChannels(r.Context())
	writePaged(s, w, r, chans, func(c *parley.Channel) string { return idKey(c.ID) }, err)
}

func (s *Server) handleCreateChannel(w http.ResponseWriter, r *http.Request) {
	var req channelCreate
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ch := &parley.Channel{Platform: req.Platform, Name: strings.TrimSpace(req.Name), Status: parley.ChannelActive,
		Config: req.Config, Secrets: req.Secrets}
	err := s.checkPlatform(req.Platform)
	if err == nil {
		err = validateName("name", ch.Name)
	}
	if err == nil {
		err = s.prepareChannel(ch)
	}
	if err == nil {
		err = s.store.CreateChannel(r.Context(), ch)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.channels.forget(ch.ID) // the Meta webhook index must see it at once
	s.syncTemplatesOnCreate(r, ch)
	s.publish(r, &parley.Event{Type: parley.EventChannelUpdated, Channel: ch, At: s.clock.Now()})
	writeJSON(w, http.StatusCreated, ch)
}

// channelPreparer is implemented by the adapter registry (channel.Registry).
type channelPreparer interface {
	PrepareChannel(ch *parley.Channel) error
}

// prepareChannel completes a new channel (secrets Parley generates) and
// refuses one whose adapter cannot be built, with the adapter's reason.
func (s *Server) prepareChannel(ch *parley.Channel) error {
	p, ok := s.cfg.Adapters.(channelPreparer)
	if !ok {
		return nil
	}
	if err := p.PrepareChannel(ch); err != nil {
		return parley.WrapError(parley.EINVALID, err, "channel %q cannot work as configured: %s", ch.Name, parley.ErrorMessage(err))
	}
	return nil
}

// channelChecker is implemented by the adapter registry (channel.Registry).
type channelChecker interface {
	CheckChannel(ch *parley.Channel) error
}

// checkChannelUpdate refuses new settings or credentials the channel's
// adapter cannot run with, before they are stored: a widget given a bad
// business-hours line would otherwise go dark for every visitor.
func (s *Server) checkChannelUpdate(ctx context.Context, id int64, upd parley.ChannelUpdate) error {
	c, ok := s.cfg.Adapters.(channelChecker)
	if !ok {
		return nil
	}
	cur, err := s.store.FindChannelByID(ctx, id)
	if err != nil {
		return err
	}
	preview := *cur
	preview.Config, preview.Secrets = maps.Clone(cur.Config), maps.Clone(cur.Secrets)
	upd.Apply(&preview)
	if err := c.CheckChannel(&preview); err != nil {
		return parley.WrapError(parley.EINVALID, err, "channel %q cannot work with these settings: %s", preview.Name, parley.ErrorMessage(err))
	}
	return nil
}

// checkPlatform refuses platforms this build has no adapter for.
func (s *Server) checkPlatform(p parley.Platform) error {
	if !p.Valid() {
		return parley.Errorf(parley.EINVALID, "platform %q is unknown", p)
	}
	if l, ok := s.cfg.Adapters.(platformLister); ok && !slices.Contains(l.Platforms(), p) {
		return parley.Errorf(parley.EINVALID, "platform %q has no adapter in this build (available: %v)", p, l.Platforms())
	}
	return nil
}

func (s *Server) handleGetChannel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var ch *parley.Channel
	if err == nil {
		ch, err = s.store.FindChannelByID(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

func (s *Server) handlePatchChannel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var upd parley.ChannelUpdate
	if err := decodeJSON(w, r, &upd); err != nil {
		s.writeError(w, r, err)
		return
	}
	if upd.Name != nil {
		trimmed := strings.TrimSpace(*upd.Name)
		upd.Name, err = &trimmed, validateName("name", trimmed)
	}
	if err == nil && upd.Status != nil {
		switch *upd.Status {
		case parley.ChannelActive, parley.ChannelDisconnected, parley.ChannelDisabled:
		default:
			err = parley.Errorf(parley.EINVALID, "status %q is not one of active, disconnected, disabled", *upd.Status)
		}
	}
	if err == nil && (len(upd.Config) > 0 || len(upd.Secrets) > 0) {
		err = s.checkChannelUpdate(r.Context(), id, upd)
	}
	var ch *parley.Channel
	if err == nil {
		ch, err = s.store.UpdateChannel(r.Context(), id, upd)
		s.channels.forget(id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if upd.Status != nil && *upd.Status == parley.ChannelActive {
		s.releaseHeld(r, ch)
	}
	s.publish(r, &parley.Event{Type: parley.EventChannelUpdated, Channel: ch, At: s.clock.Now()})
	writeJSON(w, http.StatusOK, ch)
}

func (s *Server) handleDeleteChannel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.store.DeleteChannel(r.Context(), id)
		s.channels.forget(id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
