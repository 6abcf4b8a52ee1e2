package widget

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley"
)

// statusOf maps error codes to HTTP statuses, as httpapi's table does for
// the API (the widget handler is mounted beside it, not inside it).
var statusOf = map[string]int{
	parley.EINVALID: http.StatusBadRequest, parley.EUNAUTHORIZED: http.StatusUnauthorized,
	parley.EFORBIDDEN: http.StatusForbidden, parley.ENOTFOUND: http.StatusNotFound,
	parley.ECONFLICT: http.StatusConflict, parley.ETOOLARGE: http.StatusRequestEntityTooLarge,
	parley.ERATELIMITED: http.StatusTooManyRequests, parley.EUNSUPPORTED: http.StatusUnprocessableEntity,
	parley.EUNAVAILABLE: http.StatusServiceUnavailable,
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers {"error":{code,message}}; internal errors are logged
// and shown as "internal error".
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := parley.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
		log.ErrorContext(r.Context(), "widget request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == parley.ERATELIMITED || code == parley.EUNAVAILABLE {
		w.Header().Set("Retry-After", "1")
	}
	var body errorBody
	body.Error.Code, body.Error.Message = code, parley.ErrorMessage(err)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// widgetChannel is a widget channel that visitors may use, with its
// parsed settings.
type widgetChannel struct {
	*parley.Channel
	settings *Settings
	secret   string
}

// loadChannel finds the active widget channel named by the path. Any
// other channel (another platform, disabled, misconfigured) is not found,
// so the endpoint reveals nothing about it.
func (h *Handler) loadChannel(ctx context.Context, r *http.Request) (*widgetChannel, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, parley.Errorf(parley.ENOTFOUND, "widget channel not found")
	}
	return h.channelByID(ctx, id)
}

func (h *Handler) channelByID(ctx context.Context, id int64) (*widgetChannel, error) {
	notFound := parley.Errorf(parley.ENOTFOUND, "widget channel %d not found", id)
	ch, err := h.cfg.Store.FindChannelByID(ctx, id)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	if ch.Platform != parley.PlatformWidget || ch.Status == parley.ChannelDisabled {
		return nil, notFound
	}
	secret := ch.Secrets[SecretIdentity]
	s, err := ParseSettings(ch)
	if err != nil || len(secret) < MinSecretLength {
		h.log.Warn("widget channel misconfigured", "channel_id", id, "err", err)
		return nil, notFound
	}
	return &widgetChannel{Channel: ch, settings: s, secret: secret}, nil
}

// cors lets pages of the channel's allowed origins (any origin when none
// are set) call the endpoint from the browser. Requests carry the visitor
// token in a header, never a cookie, so no credentials are allowed.
func (h *Handler) cors(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin != "" {
			ch, err := h.loadChannel(r.Context(), r)
			if err != nil {
				writeError(w, r, h.log, err)
				return
			}
			if !ch.settings.AllowsOrigin(origin) {
				writeError(w, r, h.log, parley.Errorf(parley.EFORBIDDEN, "this widget is not allowed on %s", origin))
				return
			}
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
			w.Header().Set("Access-Control-Max-Age", "600")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next(w, r)
	}
}

// clientIP is the peer address. Like the API, the widget does not trust
// X-Forwarded-For.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decodeBody reads a small JSON body; malformed is EINVALID.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if asMaxBytes(err, &tooBig) {
			return parley.Errorf(parley.ETOOLARGE, "body is larger than %d bytes", maxJSONBody)
		}
		return parley.WrapError(parley.EINVALID, err, "body is not valid JSON")
	}
	return nil
}

const maxJSONBody = 16 << 10

func asMaxBytes(err error, target **http.MaxBytesError) bool { return errors.As(err, target) }
