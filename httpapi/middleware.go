package httpapi

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
)

// requestInfo travels in the request context so that the outer middleware
// can log and measure what inner handlers learned (route, agent).
type requestInfo struct {
	id      string
	route   string
	agentID int64
}

type ctxKey int

const (
	infoKey ctxKey = iota
	agentKey
)

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey).(*requestInfo)
	return info
}

// RequestID returns the id of the request ctx belongs to ("" outside one).
func RequestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// requestAttrs are the log attributes identifying a request.
func requestAttrs(r *http.Request, extra ...any) []any {
	attrs := []any{slog.String("request_id", RequestID(r.Context())), slog.String("method", r.Method), slog.String("path", r.URL.Path)}
	return append(attrs, extra...)
}

// observe gives every request an id, recovers panics, records latency by
// route pattern and writes the access log.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: requestID(r)}
		r = r.WithContext(context.WithValue(r.Context(), infoKey, info))
		h := w.Header()
		h.Set("X-Request-Id", info.id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "frame-ancestors 'self'") // no clickjacking of the agent app
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "panic serving request",
					requestAttrs(r, slog.Any("panic", p), slog.String("stack", string(debug.Stack())))...)
				if !rec.wroteHeader {
					s.writeError(rec, r, parley.Errorf(parley.EINTERNAL, "panic: %v", p))
				}
			}
			s.record(r, info, rec, time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

func (s *Server) record(r *http.Request, info *requestInfo, rec *statusRecorder, d time.Duration) {
	status := rec.status()
	route := info.route
	if route == "" {
		route = "unmatched"
	}
	metrics.HTTPDuration.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
	level := slog.LevelInfo
	if strings.HasPrefix(r.URL.Path, "/hooks/") || route == "GET /metrics" || route == "GET /healthz" || route == "GET /readyz" {
		level = slog.LevelDebug // high-volume, machine traffic
	}
	s.log.Log(r.Context(), level, "http request", requestAttrs(r,
		slog.String("route", route), slog.Int("status", status), slog.Duration("duration", d),
		slog.Int64("bytes", rec.bytes), slog.Int64("agent_id", info.agentID), slog.String("remote", clientIP(r)))...)
}

// requestID keeps a caller's well-formed X-Request-Id (a proxy's) or makes one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && strings.IndexFunc(id, notIDRune) < 0 {
		return id
	}
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func notIDRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
}

// clientIP is the peer address. Parley does not trust X-Forwarded-For: a
// proxy in front must be configured to pass the real peer (PROXY protocol
// or a trusted-proxy setting, not yet available).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// statusRecorder remembers the status and size of a response. Unwrap lets
// http.ResponseController (and the WebSocket upgrade) reach the real writer.
type statusRecorder struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
	bytes       int64
}

func (w *statusRecorder) WriteHeader(code int) {
	if !w.wroteHeader {
		w.code, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.code, w.wroteHeader = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush supports streaming handlers.
func (w *statusRecorder) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// Hijack supports the WebSocket upgrade; a hijacked connection counts as 101.
func (w *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && !w.wroteHeader {
		w.code, w.wroteHeader = http.StatusSwitchingProtocols, true
	}
	return conn, brw, err
}

func (w *statusRecorder) status() int {
	if !w.wroteHeader {
		return http.StatusOK
	}
	return w.code
}
