package widget

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// Config is what the widget's HTTP handler needs. Store, Inbound and
// Events are required; Presence enables typing indicators both ways.
type Config struct {
	Store    parley.Store
	Inbound  parley.InboundPublisher
	Events   parley.EventSubscriber
	Presence parley.PresenceBus
	// Adapters finds the e-mail channel's adapter for replies to visitors
	// who left the page (see NewAdapter); nil keeps every reply in the widget.
	Adapters parley.AdapterSource
	// Files keeps visitors' uploads (recorded through Store, which must be
	// a parley.FileService); nil disables uploads.
	Files parley.FileStore
	// LegacyFilesDir is where uploads from before the attachment store lie
	// (in its widget folder); they stay readable. "" serves none.
	LegacyFilesDir string
	// PublicURL is how browsers reach Parley ("https://help.example.com"),
	// used in the demo page's snippet and in unsigned file addresses;
	// "" uses the request's own host.
	PublicURL string
	// FileURL gives a stored file the signed public address a visitor's
	// browser can load (the agents' address needs a session); nil gives
	// visitors the token-authorised widget path instead.
	FileURL func(storageKey string) string
	Clock   parley.Clock
	Logger  *slog.Logger
	Limits  Limits
}

// Handler serves everything under /widget/: the script, the public config,
// visitor sessions, the visitor WebSocket, uploads and the demo page.
type Handler struct {
	cfg     Config
	log     *slog.Logger
	clock   parley.Clock
	mux     *http.ServeMux
	node    string // names this handler's presence on the bus
	sockets *registry
	limits  *limiters
	names   agentNames
	online  visitorsOnline

	mu      sync.Mutex
	started bool
	life    context.Context
	stop    context.CancelFunc
}

// NewHandler builds the handler; Start must be called before visitors can
// connect.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Inbound == nil || cfg.Events == nil {
		return nil, parley.Errorf(parley.EINVALID, "widget: Store, Inbound and Events are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = parley.SystemClock{}
	}
	b := make([]byte, 6)
	rand.Read(b)
	h := &Handler{
		cfg: cfg, log: cfg.Logger.With("component", "widget"), clock: cfg.Clock, mux: http.NewServeMux(),
		node: "widget-" + hex.EncodeToString(b), sockets: newRegistry(), limits: newLimiters(cfg.Limits.withDefaults()),
	}
	h.life, h.stop = context.WithCancel(context.Background())
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	h.mux.HandleFunc("GET /widget/v1/widget.js", h.serveScript)
	h.mux.HandleFunc("GET /widget/v1/channels/{id}/config", h.cors(h.serveConfig))
	h.mux.HandleFunc("OPTIONS /widget/v1/channels/{id}/", h.cors(func(w http.ResponseWriter, r *http.Request) {}))
	h.mux.HandleFunc("POST /widget/v1/channels/{id}/session", h.cors(h.serveSession))
	h.mux.HandleFunc("POST /widget/v1/channels/{id}/uploads", h.cors(h.serveUpload))
	h.mux.HandleFunc("GET /widget/v1/channels/{id}/ws", h.serveSocket)
	h.mux.HandleFunc("GET /widget/v1/channels/{id}/files/{key}", h.cors(h.serveVisitorFile))
	h.mux.HandleFunc("GET "+legacyFilesPath+"{name}", h.serveLegacyFile)
	h.mux.HandleFunc("GET /widget/demo", h.serveDemo)
	h.mux.HandleFunc("GET /widget/demo.css", h.serveDemoAsset)
	h.mux.HandleFunc("/widget/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, h.log, parley.Errorf(parley.ENOTFOUND, "no such widget endpoint: %s %s", r.Method, r.URL.Path))
	})
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.mux.ServeHTTP(w, r)
}

// Start subscribes to domain events and presence from every node; it
// returns once subscribed. The subscriptions end with ctx or Close.
func (h *Handler) Start(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started {
		return nil
	}
	life, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-h.life.Done():
		case <-life.Done():
		}
		cancel()
	}()
	if err := h.cfg.Events.SubscribeEvents(life, h.receiveEvent); err != nil {
		cancel()
		return parley.WrapError(parley.EUNAVAILABLE, err, "widget: subscribe to events")
	}
	if h.cfg.Presence != nil {
		if err := h.cfg.Presence.SubscribePresence(life, h.receivePresence); err != nil {
			cancel()
			return parley.WrapError(parley.EUNAVAILABLE, err, "widget: subscribe to presence")
		}
	}
	h.started = true
	go h.limits.sweep(life, 5*time.Minute)
	return nil
}

// Close tells every visitor socket that this node goes away (their
// widgets reconnect, perhaps to another node) and ends the subscriptions.
func (h *Handler) Close() {
	h.stop()
	h.sockets.closeAll(closeGoingAway, "server shutting down")
}

// DisconnectAll cuts every visitor socket of this node as a network fault
// would; widgets reconnect and catch up. Tests use it, and so can an
// operator draining a node.
func (h *Handler) DisconnectAll() { h.sockets.closeAll(closeGoingAway, "disconnected") }

func (h *Handler) isStarted() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.started && h.life.Err() == nil
}
