package app

import (
	"context"
	"log/slog"
	"os"

	"github.com/parleyhq/parley/store"
)

// OpenStore opens (and migrates) the configured database alone, for
// commands that need no running node.
func OpenStore(ctx context.Context, cfg Config, logger *slog.Logger) (*store.Store, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, err
	}
	key, err := cfg.secretKey()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, store.Config{DSN: cfg.databaseDSN(), SecretKey: key, Logger: logger})
}
