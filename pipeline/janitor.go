package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// Janitor defaults.
const (
	DefaultUnboundFileAge = 24 * time.Hour
	janitorBatch          = 500
)

// UnboundFileStore forgets files nothing carries (store.DeleteUnboundFiles).
type UnboundFileStore interface {
	DeleteUnboundFiles(ctx context.Context, before time.Time, limit int) ([]string, error)
}

// FileJanitor deletes files that no message or ticket carries once they
// are MaxAge old: uploads an agent or a widget visitor never sent, mail
// attachments whose message was never stored. Every node may run one; a key deleted twice is harmless.
type FileJanitor struct {
	Store    UnboundFileStore
	Files    parley.FileStore
	Clock    parley.Clock
	Logger   *slog.Logger
	MaxAge   time.Duration // default 24 h
	Interval time.Duration // default 1 h
}

// Run cleans every Interval until ctx is done.
func (j *FileJanitor) Run(ctx context.Context) {
	interval := j.Interval
	if interval <= 0 {
		interval = time.Hour
	}
	every(ctx, interval, func(ctx context.Context) {
		if _, err := j.Clean(ctx); err != nil && ctx.Err() == nil {
			loggerOrDefault(j.Logger, "files").Warn("deleting unsent uploads", "err", err)
		}
	})
}

// Clean deletes what is due and reports how many files it removed.
func (j *FileJanitor) Clean(ctx context.Context) (int, error) {
	age := j.MaxAge
	if age <= 0 {
		age = DefaultUnboundFileAge
	}
	before := clockOrSystem(j.Clock).Now().Add(-age)
	total := 0
	for {
		keys, err := j.Store.DeleteUnboundFiles(ctx, before, janitorBatch)
		if err != nil {
			return total, err
		}
		for _, k := range keys {
			if err := j.Files.Delete(ctx, k); err != nil {
				return total, err
			}
			total++
		}
		if len(keys) < janitorBatch {
			return total, nil
		}
	}
}
