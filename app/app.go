package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/email"
	"github.com/parleyhq/parley/channel/widget"
	"github.com/parleyhq/parley/demo"
	"github.com/parleyhq/parley/filestore"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/pipeline"
	"github.com/parleyhq/parley/realtime"
	"github.com/parleyhq/parley/store"
)

// inboundBatch is the most inbound events written in one transaction.
const inboundBatch = 256

// App is one running Parley node.
type App struct {
	Config   Config
	Logger   *slog.Logger
	Store    *store.Store
	Bus      *bus.Bus
	Adapters *channel.Registry
	Hub      *realtime.Hub
	HTTP     *httpapi.Server
	Widget   *widget.Handler // the website chat: everything under /widget/
	// Files keeps uploads and attachments under DataDir/files; FileURLs
	// signs the public links platforms fetch a reply's media from.
	Files    *filestore.Disk
	FileURLs *filestore.Signer

	// SetupURL is the one-time first-admin link, when no agent exists yet.
	SetupURL   string
	setupToken string

	listener net.Listener
	// The SMTP endpoint (MX or forwarding target), when configured.
	smtp         *email.SMTPReceiver
	smtpListener net.Listener
	demo         *demo.Demo
	server       *http.Server
	workers      sync.WaitGroup
	cancel       context.CancelFunc
}

// New opens storage and the event backbone and assembles every part; it
// starts nothing. Close releases what New opened.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (_ *App, err error) {
	if cfg.NodeID == "" {
		host, _ := os.Hostname()
		cfg.NodeID = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	a := &App{Config: cfg, Logger: logger, Adapters: channel.NewRegistry()}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.Store, err = OpenStore(ctx, cfg, logger); err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	if a.Bus, err = bus.Open(ctx, bus.Config{
		URL: cfg.NATS, DataDir: filepath.Join(cfg.DataDir, "nats"), NodeID: cfg.NodeID,
		Partitions: cfg.Partitions, Prefix: cfg.NATSPrefix, SyncAlways: cfg.SyncAlways, Logger: logger,
	}); err != nil {
		return nil, fmt.Errorf("opening event backbone: %w", err)
	}
	if err := a.openFiles(); err != nil {
		return nil, err
	}
	registerChannels(a.Adapters, a.mailFiles())
	if a.Widget, err = widget.NewHandler(widget.Config{
		Store: a.Store, Inbound: a.Bus, Events: a.Bus, Presence: a.Bus, Adapters: a.Adapters,
		Files: a.Files, LegacyFilesDir: filepath.Join(cfg.DataDir, "files"), PublicURL: cfg.PublicURL, Logger: logger,
		FileURL: func(key string) string { return a.FileURLs.URL(key, time.Now()) },
	}); err != nil {
		return nil, err
	}
	a.moveLegacyWidgetUploads(ctx)
	// The widget's adapter asks the handler whether a visitor is on the page
	// (else a reply may go out by e-mail), so it is registered from it.
	a.Adapters.Register(parley.PlatformWidget, a.Widget.NewAdapter)
	a.Adapters.RegisterPreparer(parley.PlatformWidget, widget.PrepareChannel)
	if a.Hub, err = realtime.NewHub(realtime.Config{
		Events: a.Bus, Presence: a.Bus, Agents: a.Store, Conversations: a.Store, FieldPolicy: a.Store, NodeID: cfg.NodeID, Logger: logger,
		// A processed inbound batch (up to inboundBatch events) reaches every
		// socket at once; the queue must hold a burst or agents get kicked.
		SendQueue: 4 * inboundBatch,
	}); err != nil {
		return nil, err
	}
	if err := a.ensureFirstAdmin(ctx); err != nil {
		return nil, err
	}
	a.HTTP = httpapi.New(a.httpConfig())
	return a, nil
}

func (a *App) httpConfig() httpapi.Config {
	return httpapi.Config{
		Store: a.Store, Inbound: a.Bus, Outbound: a.Bus, Events: a.Bus, Adapters: a.Adapters,
		Realtime: a.Hub, Web: webAssets(), SetupToken: a.setupToken,
		SecureCookies: a.Config.SecureCookies, Ready: a.ready, Logger: a.Logger,
		Meta:  a.metaConnect(),
		Files: a.Files, FileURLs: a.FileURLs, MaxUploadBytes: a.Config.MaxUploadBytes,
		ContactData: a.Bus,
	}
}

// ready is what /readyz reports: the database and the stream answer.
func (a *App) ready(ctx context.Context) error {
	if _, err := a.Store.CountAgents(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if err := a.Bus.Ready(ctx); err != nil {
		return fmt.Errorf("event backbone: %w", err)
	}
	return nil
}

// Start listens on Config.Addr and starts the workers. It returns once the
// node serves; Addr() tells the bound address (useful with ":0").
func (a *App) Start(ctx context.Context) error {
	ctx, a.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := a.Hub.Start(ctx); err != nil {
		return fmt.Errorf("realtime: %w", err)
	}
	if err := a.Widget.Start(ctx); err != nil {
		return fmt.Errorf("widget: %w", err)
	}
	if err := a.startWorkers(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
	}
	a.listener = ln
	a.server = &http.Server{Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := a.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Logger.Error("http server stopped", "err", err)
		}
	}()
	if err := a.startSMTP(); err != nil {
		return err
	}
	if a.Config.PprofAddr != "" {
		a.startPprof()
	}
	if a.Config.Demo {
		if err := a.startDemo(ctx); err != nil {
			return err
		}
	}
	a.Logger.Info("parley is serving", "addr", ln.Addr().String(), "node", a.Config.NodeID,
		"database", engineName(a.Config), "nats", natsName(a.Config))
	if a.SetupURL != "" {
		a.Logger.Warn("no agent yet: open the one-time setup link to create the first admin", "url", a.SetupURL)
	}
	return nil
}

// routes puts the website chat under /widget/ beside the API and the agent
// app; the widget has its own CORS, CSP and rate limits for visitors.
func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/widget/", a.Widget)
	mux.Handle("/", a.HTTP)
	return mux
}

// Addr is the address the HTTP server listens on.
func (a *App) Addr() string {
	if a.listener == nil {
		return ""
	}
	return a.listener.Addr().String()
}

func (a *App) startWorkers(ctx context.Context) error {
	proc := &pipeline.Processor{Store: &pipeline.GroupCommit{Store: a.Store}, Events: a.Bus, Logger: a.Logger}
	send := &pipeline.Sender{Store: a.Store, Adapters: a.Adapters, Events: a.Bus, Outbound: a.Bus, Logger: a.Logger, FileURLs: a.FileURLs}
	sweep := &pipeline.Sweeper{Store: a.Store, Outbound: a.Bus, Logger: a.Logger}
	wake := &pipeline.SnoozeWaker{Store: a.Store, Events: a.Bus, Logger: a.Logger}
	if err := a.Bus.ConsumeInbound(ctx, inboundBatch, proc.Handle); err != nil {
		return fmt.Errorf("inbound consumer: %w", err)
	}
	if err := a.Bus.ConsumeOutbound(ctx, send.Handle); err != nil {
		return fmt.Errorf("outbound consumer: %w", err)
	}
	media := &pipeline.MediaWorker{Store: a.Store, Files: a.Files, Adapters: a.Adapters, Events: a.Bus, Logger: a.Logger,
		MaxBytes: a.Config.MaxUploadBytes}
	if err := a.Bus.ConsumeEventsOf(ctx, "media-fetch", []parley.EventType{parley.EventMessageCreated}, media.Handle); err != nil {
		return fmt.Errorf("media consumer: %w", err)
	}
	postContext := &pipeline.ContextWorker{Store: a.Store, Adapters: a.Adapters, Events: a.Bus, Logger: a.Logger}
	if err := a.Bus.ConsumeEventsOf(ctx, "message-context", []parley.EventType{parley.EventMessageCreated}, postContext.Handle); err != nil {
		return fmt.Errorf("message context consumer: %w", err)
	}
	janitor := &pipeline.FileJanitor{Store: a.Store, Files: a.Files, Logger: a.Logger}
	a.goWorker(func() { janitor.Run(ctx) })
	a.goWorker(func() { sweep.Run(ctx) })
	a.goWorker(func() { wake.Run(ctx) })
	templates := &pipeline.TemplateSyncer{Store: a.Store, Adapters: a.Adapters, Logger: a.Logger}
	a.goWorker(func() { templates.Run(ctx) })
	expire := &pipeline.ReceiptExpirer{Store: a.Store, Logger: a.Logger}
	a.goWorker(func() { expire.Run(ctx) })
	a.goWorker(func() { a.refreshInstagramTokens(ctx) })
	return startChannelWorkers(ctx, a)
}

func (a *App) goWorker(run func()) {
	a.workers.Add(1)
	go func() { defer a.workers.Done(); run() }()
}

// Shutdown drains: no new HTTP requests, in-flight requests and batches
// finish, sockets are told to go away, then everything closes.
func (a *App) Shutdown(ctx context.Context) error {
	var errs []error
	if a.demo != nil {
		a.demo.Stop()
	}
	if a.server != nil {
		errs = append(errs, a.server.Shutdown(ctx))
	}
	if a.HTTP != nil {
		a.HTTP.WaitBackground() // read receipts in flight; each has its own deadline
	}
	if a.smtp != nil {
		// A session cut off mid-DATA is retried by its sender: nothing was acknowledged.
		errs = append(errs, a.smtp.Close())
	}
	if a.Hub != nil {
		a.Hub.Close()
	}
	if a.Widget != nil {
		a.Widget.Close()
	}
	if a.cancel != nil {
		a.cancel()
	}
	a.workers.Wait()
	errs = append(errs, a.Close())
	return errors.Join(errs...)
}

// Close releases storage and the backbone without draining.
func (a *App) Close() error {
	var errs []error
	if a.Bus != nil {
		errs = append(errs, a.Bus.Close())
		a.Bus = nil
	}
	if a.Store != nil {
		errs = append(errs, a.Store.Close())
		a.Store = nil
	}
	return errors.Join(errs...)
}

func engineName(c Config) string {
	if c.usesPostgres() {
		return "postgres"
	}
	return "sqlite " + c.databaseDSN()
}

func natsName(c Config) string {
	if c.NATS == "" {
		return "embedded " + filepath.Join(c.DataDir, "nats")
	}
	return c.NATS
}

var _ parley.Store = (*store.Store)(nil)
