package app

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email"
	"github.com/parleyhq/parley/store"
)

// mailboxes keeps one IMAP poller running per e-mail channel that has IMAP
// settings, following channels as admins add, change or remove them.
type mailboxes struct {
	store       parley.ChannelService
	checkpoints checkpointStore
	inbound     parley.InboundPublisher
	logger      *slog.Logger
	every       time.Duration
	// adapter builds a channel's e-mail adapter (with the file store's
	// hooks); default email.NewAdapter.
	adapter func(*parley.Channel) (*email.Adapter, error)
	// lease, when set, lets one node of the cluster poll a mailbox at a
	// time (the bus's job leases); nil polls here unconditionally.
	lease   exclusiveRunner
	running map[int64]runningPoller
}

// exclusiveRunner runs a job on one node of the cluster at a time
// (bus.Bus.RunExclusive).
type exclusiveRunner interface {
	RunExclusive(ctx context.Context, name string, job func(ctx context.Context)) error
}

// checkpointStore keeps each mailbox's IMAP checkpoint across restarts.
type checkpointStore interface {
	FindMailboxCheckpoint(ctx context.Context, channelID int64, mailbox string) (store.MailboxCheckpoint, error)
	SaveMailboxCheckpoint(ctx context.Context, channelID int64, mailbox string, c store.MailboxCheckpoint) error
}

type runningPoller struct {
	updatedAt time.Time
	stop      context.CancelFunc
	done      chan struct{}
}

func (m *mailboxes) run(ctx context.Context) {
	m.running = map[int64]runningPoller{}
	defer m.stopAll()
	t := time.NewTicker(m.every)
	defer t.Stop()
	for {
		m.reconcile(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *mailboxes) reconcile(ctx context.Context) {
	channels, err := m.store.FindChannels(ctx)
	if err != nil {
		m.logger.Warn("mailboxes: listing channels", "err", err)
		return
	}
	want := map[int64]*parley.Channel{}
	for _, ch := range channels {
		if ch.Platform == parley.PlatformEmail && ch.Status == parley.ChannelActive && ch.Config["imap_host"] != "" {
			want[ch.ID] = ch
		}
	}
	for id, p := range m.running {
		select {
		case <-p.done: // stopped on its own (a checkpoint that could not be read): start again
			delete(m.running, id)
			continue
		default:
		}
		if ch, ok := want[id]; !ok || !ch.UpdatedAt.Equal(p.updatedAt) {
			m.stop(id)
		}
	}
	for id, ch := range want {
		if _, ok := m.running[id]; !ok {
			m.start(ctx, ch)
		}
	}
}

func (m *mailboxes) start(ctx context.Context, ch *parley.Channel) {
	log := m.logger.With("channel", ch.ID)
	newAdapter := m.adapter
	if newAdapter == nil {
		newAdapter = email.NewAdapter
	}
	adapter, err := newAdapter(ch)
	if err != nil {
		log.Warn("mailboxes: e-mail channel misconfigured", "err", err)
		return
	}
	cfg, err := email.ParseConfig(ch)
	if err != nil {
		log.Warn("mailboxes: e-mail channel misconfigured", "err", err)
		return
	}
	publish := func(ctx context.Context, events []*parley.InboundEvent, raw []byte) error {
		return m.inbound.PublishInbound(ctx, events, raw, time.Now())
	}
	deliver := adapter.DeliverTo(publish)
	if _, err := email.NewIMAPPoller(cfg, deliver); err != nil {
		log.Warn("mailboxes: IMAP settings", "err", err)
		return
	}
	poll := func(ctx context.Context) { m.poll(ctx, ch.ID, cfg, deliver, log) }
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if m.lease == nil {
			poll(pctx)
			return
		}
		if err := m.lease.RunExclusive(pctx, "mailbox."+strconv.FormatInt(ch.ID, 10), poll); err != nil && pctx.Err() == nil {
			log.Warn("mailboxes: mailbox lease unavailable; not polling until the channel list is read again", "err", err)
		}
	}()
	m.running[ch.ID] = runningPoller{updatedAt: ch.UpdatedAt, stop: cancel, done: done}
}

// poll runs one poller while this node may. It is built and resumed from
// the saved checkpoint only now: a node that waited for the lease must
// start where the previous holder stopped, not where it stood at start-up.
func (m *mailboxes) poll(ctx context.Context, channelID int64, cfg email.Config, deliver email.DeliverFunc, log *slog.Logger) {
	poller, err := email.NewIMAPPoller(cfg, deliver)
	if err != nil {
		log.Warn("mailboxes: IMAP settings", "err", err)
		return
	}
	poller.Logger = log
	if err := m.resume(ctx, channelID, poller); err != nil {
		log.Warn("mailboxes: loading the IMAP checkpoint; trying again later", "err", err)
		return
	}
	if err := poller.Run(ctx); err != nil && ctx.Err() == nil {
		log.Warn("mailboxes: poller stopped", "err", err)
	}
}

// resume restores the poller's saved checkpoint and has it save its
// progress, so a restart neither fetches handled mail again nor skips mail
// read meanwhile.
func (m *mailboxes) resume(ctx context.Context, channelID int64, p *email.IMAPPoller) error {
	if m.checkpoints == nil {
		return nil
	}
	mailbox := p.Mailbox
	c, err := m.checkpoints.FindMailboxCheckpoint(ctx, channelID, mailbox)
	if err != nil {
		return err
	}
	p.SetCheckpoint(email.Checkpoint{UIDValidity: c.UIDValidity, LastUID: c.LastUID})
	p.SaveCheckpoint = func(ctx context.Context, c email.Checkpoint) error {
		return m.checkpoints.SaveMailboxCheckpoint(ctx, channelID, mailbox, store.MailboxCheckpoint{UIDValidity: c.UIDValidity, LastUID: c.LastUID})
	}
	return nil
}

func (m *mailboxes) stop(id int64) {
	p := m.running[id]
	p.stop()
	<-p.done
	delete(m.running, id)
}

func (m *mailboxes) stopAll() {
	for id := range m.running {
		m.stop(id)
	}
}
