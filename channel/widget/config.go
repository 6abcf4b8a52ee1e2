package widget

import (
	"net/http"
	"time"
)

// publicConfig is what every visitor's widget reads: the channel's look,
// texts and forms, and whether the team answers now. Nothing secret.
type publicConfig struct {
	ChannelID  int64        `json:"channel_id"`
	Title      string       `json:"title"`
	Color      string       `json:"color"`
	Position   string       `json:"position"`
	Greeting   string       `json:"greeting,omitempty"`
	GreetingZH string       `json:"greeting_zh,omitempty"`
	Locale     string       `json:"locale"`
	Prechat    []Field      `json:"prechat"`
	Online     bool         `json:"online"`
	Hours      *hoursView   `json:"hours,omitempty"`
	Upload     uploadConfig `json:"upload"`
}

type hoursView struct {
	Schedule string     `json:"schedule"`
	Timezone string     `json:"timezone"`
	NextOpen *time.Time `json:"next_open,omitempty"`
}

type uploadConfig struct {
	MaxBytes int64    `json:"max_bytes"` // 0: no uploads
	Types    []string `json:"types"`
}

// serveConfig answers GET /widget/v1/channels/{id}/config.
func (h *Handler) serveConfig(w http.ResponseWriter, r *http.Request) {
	ch, err := h.loadChannel(r.Context(), r)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, h.configOf(ch))
}

func (h *Handler) configOf(ch *widgetChannel) *publicConfig {
	s, now := ch.settings, h.clock.Now()
	c := &publicConfig{
		ChannelID: ch.ID, Title: s.Title, Color: s.Color, Position: s.Position, Greeting: s.Greeting,
		GreetingZH: s.GreetingZH, Locale: s.Locale, Prechat: s.Prechat, Online: s.Open(now),
		Upload: uploadConfig{MaxBytes: s.UploadMax, Types: s.UploadTypes},
	}
	if c.Prechat == nil {
		c.Prechat = []Field{}
	}
	if blobs, _ := h.fileStore(); blobs == nil {
		c.Upload = uploadConfig{Types: []string{}}
	}
	if s.Hours != nil {
		c.Hours = &hoursView{Schedule: s.Hours.String(), Timezone: s.Hours.Location.String()}
		if next := s.Hours.NextOpen(now); !next.IsZero() && !c.Online {
			c.Hours.NextOpen = &next
		}
	}
	return c
}
