// Package httpapi is Parley's HTTP transport: the REST API under /api/v1,
// platform webhook ingress under /hooks, the OpenAPI document, the built web
// app, and the metrics and health endpoints. It speaks only to the domain's
// interfaces; cmd/parley wires in the real store, bus and adapters.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/filestore"
)

// RealtimeServer serves an authenticated agent's WebSocket.
type RealtimeServer interface {
	ServeAgent(w http.ResponseWriter, r *http.Request, a *parley.Agent)
}

// Config is what the server needs. Store, Inbound, Outbound, Events and
// Adapters are required; the rest have defaults.
type Config struct {
	Store    parley.Store
	Inbound  parley.InboundPublisher
	Outbound parley.OutboundPublisher
	Events   parley.EventPublisher
	Adapters parley.AdapterSource
	// Realtime serves /api/v1/ws; nil answers 422 there.
	Realtime RealtimeServer
	// ExportFiles puts a contact's stored files into the ZIP export; nil
	// uses Files and the store's files table, and without Files the
	// export lists the attachments without their bytes.
	ExportFiles ContactFileSource
	// Web is the built web app, served at / with index.html for unknown
	// paths (client-side routing); nil serves nothing there.
	Web fs.FS
	// SetupToken opens POST /api/v1/setup while no agent exists; "" keeps it closed.
	SetupToken string
	// MaxWebhookBytes caps a webhook body; default 1 MiB.
	MaxWebhookBytes int64
	// SecureCookies marks the session cookie Secure (serve over HTTPS).
	SecureCookies bool
	// Meta is the Meta app admins connect Pages, Instagram and WhatsApp
	// through (/api/v1/connect/...); nil leaves those endpoints answering 422.
	Meta *MetaConnect
	// Files keeps uploads and stored attachments; the store must also be a
	// parley.FileService. Without it the file endpoints answer 422.
	Files parley.FileStore
	// FileURLs signs and checks the public file URLs platforms fetch media
	// from (/files/{key}); nil answers 404 there.
	FileURLs *filestore.Signer
	// MaxUploadBytes caps one upload; default 25 MiB.
	MaxUploadBytes int64
	// ContactData is the event bus's copy of contacts' data, purged when a
	// contact is erased; nil leaves the bus alone (nothing else keeps events).
	ContactData parley.ContactDataPurger
	// Ready reports whether the node can serve (database, bus); nil = always.
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
	Clock  parley.Clock
}

// Defaults.
const (
	DefaultMaxWebhookBytes = 1 << 20
	DefaultMaxUploadBytes  = 25 << 20
	maxAPIBodyBytes        = 1 << 20
	sessionLifetime        = 30 * 24 * time.Hour
	sessionRenewAfter      = 24 * time.Hour
	sessionCookie          = "parley_session"
)

// Server is Parley's HTTP handler.
type Server struct {
	cfg     Config
	store   parley.Store
	log     *slog.Logger
	clock   parley.Clock
	mux     *http.ServeMux
	handler http.Handler
	routes  []route
	csrf    *http.CrossOriginProtection
	logins  *limiterSet
	setupMu sync.Mutex
	// channels caches channels for the webhook path (channel_cache.go).
	channels *channelCache
	// receipts sends read receipts to platforms after the response (handle_reads.go).
	receipts *readReceipts

	openapiOnce sync.Once
	openapiJSON []byte
}

// New builds the server and registers every route of routeTable.
func New(cfg Config) *Server {
	if cfg.MaxWebhookBytes <= 0 {
		cfg.MaxWebhookBytes = DefaultMaxWebhookBytes
	}
	if cfg.ExportFiles == nil {
		cfg.ExportFiles = defaultExportFiles(cfg)
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = parley.SystemClock{}
	}
	s := &Server{
		cfg:      cfg,
		store:    cfg.Store,
		log:      cfg.Logger,
		clock:    cfg.Clock,
		mux:      http.NewServeMux(),
		csrf:     http.NewCrossOriginProtection(),
		logins:   newLimiterSet(loginRate, loginBurst),
		channels: newChannelCache(func() time.Time { return cfg.Clock.Now() }),
		receipts: newReadReceipts(),
	}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.pattern(), s.wrap(rt))
	}
	// Fallbacks, not API routes: JSON 404/405 under /api/ and /hooks/, the
	// web app everywhere else.
	s.mux.HandleFunc("/api/", s.handleNoRoute)
	s.mux.HandleFunc("/hooks/", s.handleNoRoute)
	s.mux.Handle("/", s.webHandler())
	s.handler = s.observe(s.mux)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// handleNoRoute answers JSON for unknown API paths: 405 with Allow when the
// path exists under another method, 404 otherwise.
func (s *Server) handleNoRoute(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/api/" && pattern != "/hooks/" && pattern != "/" && pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		for _, m := range allowed {
			w.Header().Add("Allow", m)
		}
		s.writeError(w, r, parley.Errorf(codeMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path))
		return
	}
	s.writeError(w, r, parley.Errorf(parley.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path))
}
