package httpapi

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(r, "q", "limit")
	text := q.string("q")
	limit := 20
	if v, ok := q.single("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > parley.MaxPageLimit {
			q.fail("limit must be an integer from 1 to %d, got %q", parley.MaxPageLimit, v)
		}
		limit = n
	}
	if q.err == nil && (text == nil || strings.TrimSpace(*text) == "") {
		q.fail("q is required")
	}
	if q.err == nil && utf8.RuneCountInString(*text) > 200 {
		q.fail("q is longer than 200 characters")
	}
	if q.err != nil {
		s.writeError(w, r, q.err)
		return
	}
	res, err := s.store.Search(r.Context(), parley.SearchQuery{Text: *text, AgentID: agentFrom(r.Context()).ID, Limit: limit})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.visibleSearch(r.Context(), res))
}

func (s *Server) handleWebSocket(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Realtime == nil {
		s.writeError(w, r, parley.Errorf(parley.EUNSUPPORTED, "realtime updates are not enabled on this server"))
		return
	}
	s.cfg.Realtime.ServeAgent(w, r, agentFrom(r.Context()))
}

var metricsHandler = promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{})

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	metricsHandler.ServeHTTP(w, r)
}

type healthStatus struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, healthStatus{Status: "ok"})
}

// readyTimeout bounds the readiness probe so a hung dependency reads as
// "not ready" rather than a hung probe.
const readyTimeout = 2 * time.Second

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.WarnContext(r.Context(), "not ready", requestAttrs(r, "err", err)...)
			writeJSON(w, http.StatusServiceUnavailable, healthStatus{Status: "unavailable", Error: parley.ErrorMessage(err)})
			return
		}
	}
	writeJSON(w, http.StatusOK, healthStatus{Status: "ok"})
}

// webHandler serves the built web app; paths that are not files get
// index.html so the app's own router can handle them.
func (s *Server) webHandler() http.Handler {
	if s.cfg.Web == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, parley.Errorf(parley.ENOTFOUND, "no such page: %s", r.URL.Path))
		})
	}
	files := http.FileServerFS(s.cfg.Web)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.writeError(w, r, parley.Errorf(codeMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path))
			return
		}
		if infoFrom(r.Context()) != nil {
			infoFrom(r.Context()).route = "GET /"
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name != "" {
			if st, err := fs.Stat(s.cfg.Web, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") { // Vite's hashed file names never change
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				s.writeError(w, r, err)
				return
			}
		}
		s.serveIndex(w, r)
	})
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	index, err := fs.ReadFile(s.cfg.Web, "index.html")
	if err != nil {
		s.writeError(w, r, parley.Errorf(parley.ENOTFOUND, "the web app is not built"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(index)
}
