// Package demo runs Parley's demo mode (`parley serve --demo`): a fake Meta
// platform in the same process, a Messenger, a Page-comments, an Instagram
// and a WhatsApp channel pointing at it, and simulated customers who write
// on every channel now and then and answer the agents, so a new user can
// watch conversations arrive and reply without a Meta account.
//
// Everything goes through the real paths: the fake signs its webhooks
// like Meta and posts them to this Parley's /hooks URLs, and the agents'
// replies leave through the real adapters to the fake, which reports them
// delivered and read.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
)

// Config sets up demo mode.
type Config struct {
	// BaseURL is how the fake platform reaches this Parley's webhooks,
	// e.g. "http://127.0.0.1:8080" (the node must be serving).
	BaseURL string
	// Store is where the demo channels are created or updated.
	Store parley.ChannelService
	// Logger, default slog.Default().
	Logger *slog.Logger
	// Every is how often a customer starts a conversation; default 30 s.
	Every time.Duration
	// ReplyDelay is how long a customer takes to answer an agent; default 3 s.
	ReplyDelay time.Duration
	// Listen is the fake platform's address; default 127.0.0.1:0.
	Listen string
}

// Defaults.
const (
	DefaultEvery      = 30 * time.Second
	DefaultReplyDelay = 3 * time.Second
	// ConfigKey marks a channel as the demo's, so a restart reuses it.
	ConfigKey = "demo"
)

// demoPlatforms are the channels demo mode connects, in this order.
var demoPlatforms = []parley.Platform{parley.PlatformMessenger, parley.PlatformFacebookComments,
	parley.PlatformInstagram, parley.PlatformWhatsApp}

// Demo is a running demo.
type Demo struct {
	cfg      Config
	log      *slog.Logger
	fake     *fake.Server
	accounts fake.Demo
	channels map[parley.Platform]*parley.Channel
	people   *people
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// Start starts the fake platform, connects (or reconnects) the demo
// channels and lets the customers loose. Stop ends it; the channels stay.
func Start(ctx context.Context, cfg Config) (*Demo, error) {
	if cfg.BaseURL == "" || cfg.Store == nil {
		return nil, parley.Errorf(parley.EINVALID, "demo: BaseURL and Store are required")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Every <= 0 {
		cfg.Every = DefaultEvery
	}
	if cfg.ReplyDelay <= 0 {
		cfg.ReplyDelay = DefaultReplyDelay
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	d := &Demo{cfg: cfg, log: cfg.Logger.With("component", "demo"), channels: map[parley.Platform]*parley.Channel{}}
	d.people = newPeople(d)
	d.fake = fake.New(fake.Config{AppSecret: randomSecret(), AutoReceipts: true, MaxRequests: 100,
		OnRequest: d.people.onRequest})
	if err := d.fake.Listen(cfg.Listen); err != nil {
		return nil, fmt.Errorf("demo: starting the fake Meta platform: %w", err)
	}
	d.accounts = d.fake.SetupDemo()
	if err := d.connect(ctx); err != nil {
		_ = d.fake.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel = cancel
	d.wg.Add(1)
	go func() { defer d.wg.Done(); d.people.run(runCtx) }()
	d.log.Info("demo mode: simulated customers write on Messenger, Instagram, WhatsApp and Page comments",
		"fake_graph", d.fake.URL, "every", cfg.Every)
	return d, nil
}

// Stop ends the customers and the fake platform.
func (d *Demo) Stop() {
	d.cancel()
	d.wg.Wait()
	_ = d.fake.Close()
}

// Channel returns the demo channel of platform p.
func (d *Demo) Channel(p parley.Platform) *parley.Channel { return d.channels[p] }

// randomSecret signs this run's webhooks; each start has its own, saved in
// the channels it (re)connects.
func randomSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
