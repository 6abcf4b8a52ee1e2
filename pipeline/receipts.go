package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// Pending receipt defaults: a send's answer comes within seconds of its
// receipts, so a day is plenty; what is older belongs to messages another
// tool sent on the account and would wait forever.
const (
	DefaultPendingReceiptAge   = 24 * time.Hour
	DefaultReceiptExpiryPeriod = 10 * time.Minute
)

// PendingReceiptStore drops receipts that no recorded message claimed.
type PendingReceiptStore interface {
	ExpirePendingReceipts(ctx context.Context, before time.Time) (int, error)
}

// ReceiptExpirer periodically drops pending receipts older than MaxAge.
type ReceiptExpirer struct {
	Store    PendingReceiptStore
	Clock    parley.Clock
	Logger   *slog.Logger
	MaxAge   time.Duration // default DefaultPendingReceiptAge
	Interval time.Duration // default DefaultReceiptExpiryPeriod
}

// Run expires every Interval until ctx is done.
func (e *ReceiptExpirer) Run(ctx context.Context) {
	interval := e.Interval
	if interval <= 0 {
		interval = DefaultReceiptExpiryPeriod
	}
	every(ctx, interval, func(ctx context.Context) {
		if _, err := e.Expire(ctx); err != nil && ctx.Err() == nil {
			e.log().Warn("expiring pending receipts", "err", err)
		}
	})
}

// Expire drops what is too old now and reports how many.
func (e *ReceiptExpirer) Expire(ctx context.Context) (int, error) {
	age := e.MaxAge
	if age <= 0 {
		age = DefaultPendingReceiptAge
	}
	return e.Store.ExpirePendingReceipts(ctx, clockOrSystem(e.Clock).Now().Add(-age))
}

func (e *ReceiptExpirer) log() *slog.Logger {
	if e.Logger == nil {
		return slog.Default()
	}
	return e.Logger
}
