package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/parleyhq/parley"
)

// statusByCode is the one place where error codes become HTTP statuses
// (docs/architecture.md, "Errors"). Any code not listed is a 500.
var statusByCode = map[string]int{
	parley.EINVALID:      http.StatusBadRequest,
	parley.EUNAUTHORIZED: http.StatusUnauthorized,
	parley.EFORBIDDEN:    http.StatusForbidden,
	parley.ENOTFOUND:     http.StatusNotFound,
	parley.ECONFLICT:     http.StatusConflict,
	parley.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	parley.ERATELIMITED:  http.StatusTooManyRequests,
	parley.EUNSUPPORTED:  http.StatusUnprocessableEntity,
	parley.EUNAVAILABLE:  http.StatusServiceUnavailable,
	codeMethodNotAllowed: http.StatusMethodNotAllowed,
}

// codeMethodNotAllowed is the transport's own code: the path exists but not
// with this method (e.g. GET on a webhook whose platform has no handshake).
const codeMethodNotAllowed = "method_not_allowed"

// StatusOf returns the HTTP status for an error code.
func StatusOf(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON of every error response: {"error":{…}}.
type ErrorBody struct {
	Error ErrorInfo `json:"error"`
}

// ErrorInfo is a machine code, a message safe to show, and optional details
// (on a stale update: the current conversation).
type ErrorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

// errorInfo turns err into what the caller may see. Errors without a known
// code are internal: their text is never shown.
func errorInfo(err error) ErrorInfo {
	code := parley.ErrorCode(err)
	if _, known := statusByCode[code]; !known {
		return ErrorInfo{Code: parley.EINTERNAL, Message: "internal error"}
	}
	return ErrorInfo{Code: code, Message: parley.ErrorMessage(err), Details: parley.ErrorDetails(err)}
}

// writeError answers with err's status and JSON body, logging what the
// caller is not shown.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	info := errorInfo(err)
	status := StatusOf(info.Code)
	switch {
	case status >= 500 && status != http.StatusServiceUnavailable:
		s.log.ErrorContext(r.Context(), "request failed", requestAttrs(r, slog.Any("err", err))...)
	case status == http.StatusServiceUnavailable:
		s.log.WarnContext(r.Context(), "dependency unavailable", requestAttrs(r, slog.Any("err", err))...)
	}
	writeJSON(w, status, ErrorBody{Error: info})
}

// isMaxBytes reports whether err comes from http.MaxBytesReader.
func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
