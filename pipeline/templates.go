package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// DefaultTemplateSyncInterval is how often every channel's message
// templates are synced from the platform: approvals and pauses happen on
// Meta's side without a webhook Parley subscribes to.
const DefaultTemplateSyncInterval = time.Hour

// TemplateSyncer keeps the stored message templates of every active
// channel whose platform has them in step with the platform. Every node
// may run one: a sync replaces the list, so repeating it is harmless.
type TemplateSyncer struct {
	Store    parley.Store
	Adapters parley.AdapterSource
	Logger   *slog.Logger
	Interval time.Duration // default DefaultTemplateSyncInterval
}

// Run syncs at once and then every Interval until ctx is done.
func (s *TemplateSyncer) Run(ctx context.Context) {
	interval := s.Interval
	if interval <= 0 {
		interval = DefaultTemplateSyncInterval
	}
	every(ctx, interval, func(ctx context.Context) { s.SyncAll(ctx) })
}

// SyncAll syncs every active channel that has templates and reports how
// many it synced; a failing channel is logged and the others still sync.
func (s *TemplateSyncer) SyncAll(ctx context.Context) int {
	chans, err := s.Store.FindChannels(ctx)
	if err != nil {
		s.log().Warn("template sync: listing channels", "err", err)
		return 0
	}
	n := 0
	for _, ch := range chans {
		if ch.Status != parley.ChannelActive || !hasTemplates(s.Adapters, ch) {
			continue
		}
		if err := SyncTemplates(ctx, s.Store, s.Adapters, ch); err != nil {
			s.log().Warn("template sync failed", "channel_id", ch.ID, "err", err)
			continue
		}
		n++
	}
	return n
}

func hasTemplates(adapters parley.AdapterSource, ch *parley.Channel) bool {
	a, err := adapters.Adapter(ch)
	if err != nil {
		return false
	}
	_, ok := a.(parley.TemplateSource)
	return ok
}

func (s *TemplateSyncer) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// SyncTemplates replaces the channel's stored templates with the
// platform's list. EUNSUPPORTED if the channel's platform has none.
func SyncTemplates(ctx context.Context, st parley.Store, adapters parley.AdapterSource, ch *parley.Channel) error {
	ts, ok := st.(parley.TemplateService)
	if !ok {
		return parley.Errorf(parley.EUNSUPPORTED, "this store does not keep message templates")
	}
	a, err := adapters.Adapter(ch)
	if err != nil {
		return err
	}
	src, ok := a.(parley.TemplateSource)
	if !ok {
		return parley.Errorf(parley.EUNSUPPORTED, "%s channels have no message templates", ch.Platform)
	}
	list, err := src.Templates(ctx)
	if err != nil {
		return err
	}
	return ts.ReplaceTemplates(ctx, ch.ID, list)
}
