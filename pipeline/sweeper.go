package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// Sweeper defaults.
const (
	DefaultSweepInterval = 2 * time.Second
	// DefaultSendingLease is how long a message may stay in sending before
	// the Sweeper assumes its sender died. It must exceed the longest send.
	DefaultSendingLease = 2 * time.Minute
	sweepBatch          = 200
)

// Sweeper keeps the outbox moving: it republishes queued messages whose
// retry time has come (and those whose first publish was lost in a crash
// between commit and publish), and requeues messages stuck in sending after
// a sender crashed. Every node may run one: the (message, attempt)
// de-duplication id and ClaimMessage keep it to one send.
type Sweeper struct {
	Store    parley.MessageService
	Outbound parley.OutboundPublisher
	Clock    parley.Clock
	Logger   *slog.Logger
	Interval time.Duration // default 2 s
	Lease    time.Duration // default 2 min
}

// Run sweeps every Interval until ctx is done.
func (s *Sweeper) Run(ctx context.Context) {
	interval := s.Interval
	if interval <= 0 {
		interval = DefaultSweepInterval
	}
	every(ctx, interval, func(ctx context.Context) {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("outbox sweep", "err", err)
		}
	})
}

// Sweep republishes what is due and reports how many messages it queued.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		n, full, err := s.sweepOnce(ctx)
		total += n
		if err != nil || !full {
			return total, err
		}
	}
}

func (s *Sweeper) sweepOnce(ctx context.Context) (n int, full bool, err error) {
	lease := s.Lease
	if lease <= 0 {
		lease = DefaultSendingLease
	}
	now := clockOrSystem(s.Clock).Now()
	msgs, err := s.Store.FindStaleOutbound(ctx, now, now.Add(-lease), sweepBatch)
	if err != nil {
		return 0, false, err
	}
	for _, m := range msgs {
		if err := s.republish(ctx, m, now); err != nil {
			return n, false, err
		}
		n++
	}
	return n, len(msgs) == sweepBatch, nil
}

// republish queues m again. The attempt number is the store's count of
// claims, so a retry gets a new de-duplication id while sweepers on several
// nodes publishing the same retry collapse into one.
func (s *Sweeper) republish(ctx context.Context, m *parley.Message, now time.Time) error {
	if m.Status == parley.MessageSending {
		s.log().Warn("recovering message stuck in sending", "message_id", m.ID, "since", m.UpdatedAt)
		if err := s.Store.RequeueMessage(ctx, m.ID, now, "sender did not finish; retrying"); err != nil {
			if parley.ErrorCode(err) == parley.ECONFLICT {
				return nil // it moved on meanwhile
			}
			return err
		}
	}
	return s.Outbound.PublishOutbound(ctx, m.ID, m.Attempts)
}

func (s *Sweeper) log() *slog.Logger { return loggerOrDefault(s.Logger, "sweeper") }

// SnoozeWaker reopens snoozed tickets whose time has come and announces them.
type SnoozeWaker struct {
	Store    parley.ConversationService
	Events   parley.EventPublisher
	Clock    parley.Clock
	Logger   *slog.Logger
	Interval time.Duration // default 15 s
}

// Run wakes tickets every Interval until ctx is done.
func (w *SnoozeWaker) Run(ctx context.Context) {
	interval := w.Interval
	if interval <= 0 {
		interval = 15 * time.Second
	}
	every(ctx, interval, func(ctx context.Context) {
		if _, err := w.Wake(ctx); err != nil && ctx.Err() == nil {
			loggerOrDefault(w.Logger, "snooze").Warn("waking snoozed tickets", "err", err)
		}
	})
}

// Wake reopens what is due now and returns the tickets it woke.
func (w *SnoozeWaker) Wake(ctx context.Context) ([]*parley.Conversation, error) {
	now := clockOrSystem(w.Clock).Now()
	convs, err := w.Store.WakeSnoozed(ctx, now)
	if err != nil {
		return nil, err
	}
	events := make([]*parley.Event, len(convs))
	for i, c := range convs {
		events[i] = &parley.Event{Type: parley.EventConversationUpdated, Conversation: c, At: now}
	}
	publishEvents(ctx, w.Events, loggerOrDefault(w.Logger, "snooze"), events)
	return convs, nil
}
