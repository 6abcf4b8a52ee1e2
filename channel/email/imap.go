package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/parleyhq/parley"
)

// DeliverFunc takes one raw mail. The transports call it for every mail and
// treat an error as "not taken": the mail stays where it is (unseen on the
// IMAP server, refused with a temporary error over SMTP) and comes again.
type DeliverFunc func(ctx context.Context, raw []byte) error

// IMAPPoller brings a mailbox's new mail to Deliver. It waits with IDLE when
// the server supports it and polls otherwise. It fetches mail with a UID
// above its checkpoint (the last one handled), whether or not someone read
// it meanwhile; without a checkpoint for the mailbox's UIDVALIDITY (first
// start, or the mailbox was recreated) it fetches only unseen mail, so
// connecting an old mailbox does not import its history. It marks a mail
// \Seen (or moves it to the processed mailbox) only after Deliver
// succeeded, so a crash between the two redelivers rather than loses mail.
// Deliver must therefore be idempotent (the inbound stream's
// de-duplication by Message-ID is).
type IMAPPoller struct {
	Server    ServerConfig
	Mailbox   string // default INBOX
	Processed string // if set, handled mail is moved here instead of only marked \Seen
	Deliver   DeliverFunc

	// PollInterval is how often to look for mail when the server has no
	// IDLE, and how often to re-check while idling. Default 1 minute
	// without IDLE, 10 minutes with it.
	PollInterval time.Duration
	// RetryInterval is the wait after a failed Deliver or a lost
	// connection. Default 30 seconds.
	RetryInterval time.Duration
	TLSConfig     *tls.Config
	Logger        *slog.Logger
	// SaveCheckpoint, if set, persists progress after every delivered mail
	// and when the mailbox's UIDVALIDITY changes; restore it with
	// SetCheckpoint before Run. A failed save is logged: the mail is
	// delivered, and at worst a restart hands it over again.
	SaveCheckpoint func(ctx context.Context, c Checkpoint) error

	mu          sync.Mutex
	uidValidity uint32
	lastUID     imap.UID
	idling      bool
}

// NewIMAPPoller builds the poller of a channel's configured mailbox.
func NewIMAPPoller(cfg Config, deliver DeliverFunc) (*IMAPPoller, error) {
	if cfg.IMAP.Host == "" {
		return nil, parley.Errorf(parley.EINVALID, "the channel has no imap_host configured")
	}
	return &IMAPPoller{Server: cfg.IMAP, Mailbox: cfg.Mailbox, Processed: cfg.Processed, Deliver: deliver}, nil
}

// Checkpoint is how far the poller got: the mailbox's UIDVALIDITY and the
// highest UID handled. Restored with SetCheckpoint after a restart, it
// keeps handled mail from coming again and lets mail that someone read
// meanwhile still come in.
type Checkpoint struct {
	UIDValidity uint32
	LastUID     uint32
}

// Checkpoint returns the poller's progress.
func (p *IMAPPoller) Checkpoint() Checkpoint {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Checkpoint{UIDValidity: p.uidValidity, LastUID: uint32(p.lastUID)}
}

// SetCheckpoint restores progress saved from Checkpoint.
func (p *IMAPPoller) SetCheckpoint(c Checkpoint) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.uidValidity, p.lastUID = c.UIDValidity, imap.UID(c.LastUID)
}

// Idling reports whether the poller is waiting in IDLE right now.
func (p *IMAPPoller) Idling() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idling
}

// Run keeps a session with the server until ctx ends, reconnecting after
// RetryInterval when the connection fails. It returns ctx's error, or an
// auth error at once when the server refuses the login (retrying a wrong
// password would only lock the account).
func (p *IMAPPoller) Run(ctx context.Context) error {
	for {
		err := p.session(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if parley.ErrorCode(err) == parley.EUNAUTHORIZED {
			return err
		}
		p.logger().Warn("email: IMAP session ended", "host", p.Server.Host, "err", err)
		if !sleep(ctx, p.retryInterval()) {
			return ctx.Err()
		}
	}
}

// session is one connection: log in, select, then fetch and wait in turn.
func (p *IMAPPoller) session(ctx context.Context) error {
	newMail := make(chan struct{}, 1)
	c, err := p.dial(newMail)
	if err != nil {
		return parley.WrapError(parley.EUNAVAILABLE, err, "connecting to IMAP server %s", p.Server.Address())
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	if err := c.Login(p.Server.Username, p.Server.Password).Wait(); err != nil {
		var imapErr *imap.Error
		if errors.As(err, &imapErr) && imapErr.Type == imap.StatusResponseTypeNo {
			return parley.WrapError(parley.EUNAUTHORIZED, err, "IMAP login refused for %s", p.Server.Username)
		}
		return err
	}
	if err := p.ensureProcessedMailbox(c); err != nil {
		return err
	}
	sel, err := c.Select(p.mailbox(), nil).Wait()
	if err != nil {
		return err
	}
	if p.resetOnNewValidity(sel.UIDValidity) {
		p.saveCheckpoint(ctx)
	}
	for {
		retry, err := p.fetchNew(ctx, c)
		if err != nil {
			return err
		}
		if retry {
			continue // a Deliver failed: try it again, after the retry pause
		}
		if err := p.wait(ctx, c, newMail); err != nil {
			return err
		}
	}
}

// ensureProcessedMailbox creates the processed mailbox if it is missing, so
// handled mail has somewhere to go.
func (p *IMAPPoller) ensureProcessedMailbox(c *imapclient.Client) error {
	if p.Processed == "" {
		return nil
	}
	list, err := c.List("", p.Processed, nil).Collect()
	if err != nil {
		return err
	}
	if len(list) > 0 {
		return nil
	}
	return c.Create(p.Processed, nil).Wait()
}

func (p *IMAPPoller) dial(newMail chan struct{}) (*imapclient.Client, error) {
	opts := &imapclient.Options{
		TLSConfig: p.tlsConfig(),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	switch p.Server.TLS {
	case TLSImplicit:
		return imapclient.DialTLS(p.Server.Address(), opts)
	case TLSStartTLS:
		return imapclient.DialStartTLS(p.Server.Address(), opts)
	}
	return imapclient.DialInsecure(p.Server.Address(), opts)
}

func (p *IMAPPoller) tlsConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if p.TLSConfig != nil {
		cfg = p.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = p.Server.Host
	}
	return cfg
}

// resetOnNewValidity forgets the last UID when the mailbox was recreated
// (UIDs of a new UIDVALIDITY say nothing about the old ones) and reports
// whether it did.
func (p *IMAPPoller) resetOnNewValidity(v uint32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.uidValidity == v {
		return false
	}
	if p.uidValidity != 0 {
		p.logger().Warn("email: the mailbox's UIDVALIDITY changed; fetching its unseen mail again", "mailbox", p.mailbox(), "old", p.uidValidity, "new", v)
	}
	p.uidValidity, p.lastUID = v, 0
	return true
}

func (p *IMAPPoller) saveCheckpoint(ctx context.Context) {
	if p.SaveCheckpoint == nil {
		return
	}
	if err := p.SaveCheckpoint(ctx, p.Checkpoint()); err != nil && ctx.Err() == nil {
		p.logger().Warn("email: saving the IMAP checkpoint failed", "mailbox", p.mailbox(), "err", err)
	}
}

// fetchNew hands every new mail to Deliver, oldest first. It fetches mail
// in chunks (fetchChunkMails mails or fetchChunkBytes, one round trip each)
// and marks a chunk's delivered mail handled in one command, saving the
// checkpoint first. It stops at the first failed Deliver, waits
// RetryInterval and reports retry, so the failed mail comes again before
// any later one.
func (p *IMAPPoller) fetchNew(ctx context.Context, c *imapclient.Client) (retry bool, err error) {
	uids, err := p.searchNew(c)
	if err != nil || len(uids) == 0 {
		return false, err
	}
	chunks, err := fetchChunks(c, uids)
	if err != nil {
		return false, err
	}
	for _, chunk := range chunks {
		mails, err := fetchRaws(c, chunk)
		if err != nil {
			return false, err
		}
		handled, deliverErr := p.deliverChunk(ctx, chunk, mails)
		if len(handled) > 0 {
			p.saveCheckpoint(ctx)
			if err := p.markHandled(c, handled); err != nil {
				return false, err
			}
		}
		if deliverErr != nil {
			p.logger().Error("email: delivering fetched mail failed; it stays unseen", "err", deliverErr)
			if !sleep(ctx, p.retryInterval()) {
				return false, ctx.Err()
			}
			return true, nil
		}
	}
	return false, nil
}

// deliverChunk delivers a chunk's mail in UID order until one fails, and
// returns the UIDs delivered. A delivered mail is never handed over again
// by this process, even if marking it fails (Deliver is idempotent for a
// restart).
func (p *IMAPPoller) deliverChunk(ctx context.Context, chunk []imap.UID, mails map[imap.UID][]byte) ([]imap.UID, error) {
	var handled []imap.UID
	for _, uid := range chunk {
		raw, ok := mails[uid]
		if !ok { // expunged meanwhile
			continue
		}
		if err := p.Deliver(ctx, raw); err != nil {
			return handled, fmt.Errorf("uid %d: %w", uid, err)
		}
		p.mu.Lock()
		p.lastUID = uid
		p.mu.Unlock()
		handled = append(handled, uid)
	}
	return handled, nil
}

// Chunk bounds: few round trips for a backlog of small mail, bounded
// memory for big mail (a mail over the byte bound is a chunk by itself).
const (
	fetchChunkMails = 32
	fetchChunkBytes = 8 << 20
)

// fetchChunks asks the sizes of the new mail (one round trip) and groups
// their UIDs into chunks.
func fetchChunks(c *imapclient.Client, uids []imap.UID) ([][]imap.UID, error) {
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, err
	}
	size := make(map[imap.UID]int64, len(msgs))
	for _, m := range msgs {
		size[m.UID] = m.RFC822Size
	}
	var chunks [][]imap.UID
	var cur []imap.UID
	var bytes int64
	for _, uid := range uids {
		if len(cur) > 0 && (len(cur) == fetchChunkMails || bytes+size[uid] > fetchChunkBytes) {
			chunks, cur, bytes = append(chunks, cur), nil, 0
		}
		cur, bytes = append(cur, uid), bytes+size[uid]
	}
	return append(chunks, cur), nil
}

// searchNew lists the mail to hand over: everything above the checkpoint,
// or only unseen mail when there is none yet.
func (p *IMAPPoller) searchNew(c *imapclient.Client) ([]imap.UID, error) {
	p.mu.Lock()
	last := p.lastUID
	p.mu.Unlock()
	var set imap.UIDSet
	set.AddRange(last+1, 0)
	skip := []imap.Flag{imap.FlagDeleted}
	if last == 0 {
		skip = append(skip, imap.FlagSeen)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}, NotFlag: skip}, nil).Wait()
	if err != nil {
		return nil, err
	}
	var uids []imap.UID
	for _, uid := range data.AllUIDs() {
		if uid > last { // "n:*" always matches the highest UID, even below n
			uids = append(uids, uid)
		}
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	return uids, nil
}

// fetchRaws reads whole mails without setting \Seen (BODY.PEEK[]); mail
// expunged meanwhile is missing from the result.
func fetchRaws(c *imapclient.Client, uids []imap.UID) (map[imap.UID][]byte, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, err
	}
	out := make(map[imap.UID][]byte, len(msgs))
	for _, m := range msgs {
		if raw := m.FindBodySection(section); raw != nil {
			out[m.UID] = raw
		}
	}
	return out, nil
}

// markHandled moves the mail to the processed mailbox, or marks it \Seen.
func (p *IMAPPoller) markHandled(c *imapclient.Client, uids []imap.UID) error {
	set := imap.UIDSetNum(uids...)
	if p.Processed != "" {
		_, err := c.Move(set, p.Processed).Wait()
		return err
	}
	return c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
}

// wait blocks until new mail may be there: an EXISTS while idling, or the
// poll interval without IDLE.
func (p *IMAPPoller) wait(ctx context.Context, c *imapclient.Client, newMail <-chan struct{}) error {
	if !c.Caps().Has(imap.CapIdle) && !c.Caps().Has(imap.CapIMAP4rev2) {
		if !sleep(ctx, p.pollInterval(false)) {
			return ctx.Err()
		}
		return c.Noop().Wait()
	}
	idle, err := c.Idle()
	if err != nil {
		return err
	}
	p.setIdling(true)
	timer := time.NewTimer(p.pollInterval(true))
	defer timer.Stop()
	select {
	case <-newMail:
	case <-timer.C:
	case <-ctx.Done():
	case <-c.Closed():
	}
	p.setIdling(false)
	if err := idle.Close(); err != nil {
		return err
	}
	if err := idle.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func (p *IMAPPoller) setIdling(v bool) {
	p.mu.Lock()
	p.idling = v
	p.mu.Unlock()
}

func (p *IMAPPoller) mailbox() string {
	if p.Mailbox == "" {
		return "INBOX"
	}
	return p.Mailbox
}

func (p *IMAPPoller) pollInterval(idle bool) time.Duration {
	switch {
	case p.PollInterval > 0:
		return p.PollInterval
	case idle:
		return 10 * time.Minute
	}
	return time.Minute
}

func (p *IMAPPoller) retryInterval() time.Duration {
	if p.RetryInterval > 0 {
		return p.RetryInterval
	}
	return 30 * time.Second
}

func (p *IMAPPoller) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

// sleep waits d or until ctx ends; it reports whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
