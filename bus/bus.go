// Package bus is Parley's event backbone on NATS JetStream: the durable
// INBOUND and OUTBOUND work queues, the EVENTS fan-out stream and the
// ephemeral presence subject. It runs against an external NATS cluster or a
// nats-server embedded in the process (the zero-config default), with the
// same code paths for both.
//
// Per-contact order: inbound events are partitioned by channel and sender;
// each partition has one durable pull consumer (MaxAckPending = batch size)
// and a lease (lease.go) gives each partition to one node at a time, so one
// sender's events are stored strictly in order across all nodes, and a
// batch is acknowledged only after the handler has committed it.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
)

// Defaults for Config fields left zero.
const (
	DefaultPrefix     = "parley"
	DefaultPartitions = 8
	// publishTimeout bounds how long a webhook waits for the stream before
	// it answers 503 and lets the platform retry.
	publishTimeout = 5 * time.Second
)

// Config says where the backbone lives and how it is laid out.
type Config struct {
	// URL of an external NATS server or cluster ("nats://a:4222,nats://b:4222");
	// empty starts an embedded in-process server.
	URL string
	// DataDir is where the embedded server keeps its JetStream files.
	DataDir string
	// NodeID names this node in logs and partition leases.
	NodeID string
	// Partitions is the number of inbound partitions (default 8). Every node
	// must use the same number.
	Partitions int
	// Prefix namespaces subjects and stream names (default "parley"), so
	// several installations or test runs can share one NATS server.
	Prefix string
	// SyncAlways makes the embedded server fsync every write, surviving a
	// power cut at a throughput cost (see BenchmarkPublishInbound).
	SyncAlways bool
	// Replicas is the stream replication factor on a cluster (default 1).
	Replicas int
	// LeaseTTL is how long a crashed node keeps its inbound partitions
	// before another node takes them over (default 10 s).
	LeaseTTL time.Duration
	// InboundAckWait is how long an inbound batch may take before JetStream
	// redelivers it (default 30 s); after a crash, a partition waits this
	// long so that the dead node's batch is redelivered before newer events.
	InboundAckWait time.Duration
	Logger         *slog.Logger
}

var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (c Config) withDefaults() (Config, error) {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if !prefixPattern.MatchString(c.Prefix) {
		return c, parley.Errorf(parley.EINVALID, "bus prefix %q: use letters, digits, '_' or '-'", c.Prefix)
	}
	if c.Partitions <= 0 {
		c.Partitions = DefaultPartitions
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 10 * time.Second
	}
	if c.LeaseTTL < 2*time.Second {
		// Renewals every TTL/4 plus a pull request must fit well inside it
		// (the worker fence in consume_inbound.go).
		return c, parley.Errorf(parley.EINVALID, "bus lease TTL %s: at least 2s", c.LeaseTTL)
	}
	if c.InboundAckWait <= 0 {
		c.InboundAckWait = 30 * time.Second
	}
	if c.NodeID == "" {
		c.NodeID = "node"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.URL == "" && c.DataDir == "" {
		return c, parley.Errorf(parley.EINVALID, "bus: an embedded server needs a DataDir")
	}
	return c, nil
}

// Bus is a connection to the backbone. It implements
// parley.InboundPublisher, OutboundPublisher, EventPublisher,
// EventSubscriber, EventConsumer and PresenceBus.
type Bus struct {
	cfg      Config
	log      *slog.Logger
	server   *server.Server // nil when external
	nc       *nats.Conn
	js       jetstream.JetStream
	instance string // unique per Bus, so two Bus values of one node are distinct lease holders

	mu      sync.Mutex
	closing bool
	stop    context.CancelFunc // stops every consumer loop
	loops   sync.WaitGroup     // consumer loops still running
	baseCtx context.Context
}

// Open connects to (or starts) the backbone and creates or updates the
// streams.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Bus{cfg: cfg, log: cfg.Logger.With("component", "bus", "node", cfg.NodeID)}
	b.instance = durableName.ReplaceAllString(cfg.NodeID, "_") + "-" + nats.NewInbox()[len(nats.InboxPrefix):]
	b.baseCtx, b.stop = context.WithCancel(context.Background())
	if err := b.connect(); err != nil {
		b.shutdownServer()
		return nil, err
	}
	if b.js, err = jetstream.New(b.nc, jetstream.WithPublishAsyncTimeout(publishTimeout)); err != nil {
		b.Close()
		return nil, parley.WrapError(parley.EUNAVAILABLE, err, "jetstream")
	}
	if err := b.ensureStreams(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *Bus) connect() error {
	opts := []nats.Option{
		nats.Name("parley " + b.cfg.NodeID),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { b.log.Info("nats reconnected") }),
	}
	url := b.cfg.URL
	if url == "" {
		srv, err := startEmbedded(b.cfg)
		if err != nil {
			return err
		}
		b.server = srv
		opts = append(opts, nats.InProcessServer(srv))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return parley.WrapError(parley.EUNAVAILABLE, err, "connect to nats %q", url)
	}
	b.nc = nc
	return nil
}

// Ready reports whether JetStream answers, for /readyz.
func (b *Bus) Ready(ctx context.Context) error {
	if !b.nc.IsConnected() {
		return parley.Errorf(parley.EUNAVAILABLE, "nats: not connected (%s)", b.nc.Status())
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return parley.WrapError(parley.EUNAVAILABLE, err, "jetstream not ready")
	}
	return nil
}

// Close stops the consumers after their in-flight batches, releases the
// partition leases, flushes what is buffered and, for an embedded server,
// shuts it down. It is what SIGTERM should call.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		return nil
	}
	b.closing = true
	b.mu.Unlock()
	b.stop()
	b.loops.Wait()
	if b.nc != nil {
		if err := b.drainConn(); err != nil {
			b.log.Warn("nats drain", "err", err)
		}
	}
	b.shutdownServer()
	return nil
}

func (b *Bus) drainConn() error {
	if b.nc.IsClosed() {
		return nil
	}
	closed := make(chan struct{})
	b.nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
	if err := b.nc.Drain(); err != nil {
		b.nc.Close()
		return err
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		b.nc.Close()
		return errors.New("drain timed out")
	}
	return nil
}

func (b *Bus) shutdownServer() {
	if b.server != nil {
		b.server.Shutdown()
		b.server.WaitForShutdown()
	}
}

// startLoop runs fn in the background until Close; it refuses after Close.
func (b *Bus) startLoop(fn func(ctx context.Context)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return parley.Errorf(parley.EUNAVAILABLE, "bus is closing")
	}
	b.loops.Add(1)
	go func() {
		defer b.loops.Done()
		fn(b.baseCtx)
	}()
	return nil
}

// mergeDone returns a context cancelled when either ctx or the bus stops.
func (b *Bus) mergeDone(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(b.baseCtx, cancel)
	return ctx, func() { stop(); cancel() }
}

func unavailable(err error, format string, args ...any) error {
	return parley.WrapError(parley.EUNAVAILABLE, err, "%s", fmt.Sprintf(format, args...))
}
