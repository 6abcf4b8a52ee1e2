package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
)

// Error is the Graph API error envelope (PLATFORMS.md §0), WhatsApp's
// error_data included.
type Error struct {
	HTTPStatus  int    `json:"-"`
	Message     string `json:"message"`
	Type        string `json:"type,omitempty"`
	Code        int    `json:"code"`
	Subcode     int    `json:"error_subcode,omitempty"`
	UserTitle   string `json:"error_user_title,omitempty"`
	UserMsg     string `json:"error_user_msg,omitempty"`
	FBTraceID   string `json:"fbtrace_id,omitempty"`
	IsTransient bool   `json:"is_transient,omitempty"`
	Title       string `json:"title,omitempty"` // WhatsApp error elements carry a title
	Href        string `json:"href,omitempty"`
	ErrorData   *struct {
		MessagingProduct string `json:"messaging_product,omitempty"`
		Details          string `json:"details,omitempty"`
	} `json:"error_data,omitempty"`
	RetryAfter time.Duration `json:"-"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("meta: graph error %s: %s", e.CodeString(), e.Reason())
}

// CodeString is "code" or "code/subcode".
func (e *Error) CodeString() string {
	if e.Subcode != 0 {
		return strconv.Itoa(e.Code) + "/" + strconv.Itoa(e.Subcode)
	}
	return strconv.Itoa(e.Code)
}

// Reason is Meta's human explanation: the message, with WhatsApp's details
// or the user-facing text when they add something.
func (e *Error) Reason() string {
	r := e.Message
	if r == "" {
		r = e.Title
	}
	if e.ErrorData != nil && e.ErrorData.Details != "" && e.ErrorData.Details != r {
		r += " (" + e.ErrorData.Details + ")"
	} else if e.UserMsg != "" && e.UserMsg != r {
		r += " (" + e.UserMsg + ")"
	}
	if r == "" {
		r = http.StatusText(e.HTTPStatus)
	}
	return r
}

// ParseError reads a failed Graph response. A body without the envelope
// still yields an *Error (code 0) carrying the HTTP status.
func ParseError(status int, h http.Header, body []byte) *Error {
	var env struct {
		Error *Error `json:"error"`
	}
	e := &Error{HTTPStatus: status}
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		e = env.Error
		e.HTTPStatus = status
	}
	if h != nil {
		if secs, err := strconv.Atoi(h.Get("Retry-After")); err == nil && secs > 0 {
			e.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return e
}

// Error codes the classification needs by name.
const (
	CodeWindowClosed       = 10      // with subcode 2018278 (Messenger, Instagram)
	SubcodeOutsideWindow   = 2018278 // UNVERIFIED on Meta's page, seen in third-party code
	CodeUnavailable        = 551     // with subcode 1545041: recipient unavailable / blocked
	SubcodeUnavailable     = 1545041
	CodeTokenInvalid       = 190
	CodeWAReEngagement     = 131047 // WhatsApp: more than 24 h since the user wrote
	CodeWAUndeliverable    = 131026
	CodeWATemplateMissing  = 132001
	CodeWAParamInvalid     = 131009
	CodeWAParamMissing     = 131008
	CodeInvalidParameter   = 100
	CodeWAThroughput       = 130429
	CodeWAPairRateLimit    = 131056
	CodeAppRateLimit       = 4
	CodeUserRateLimit      = 17
	CodeWAAccountRateLimit = 80007
)

// rateLimitCodes are throttling codes (PLATFORMS.md §0, §4). 32 and the
// 8000x business-use-case codes are UNVERIFIED but treated as limits.
var rateLimitCodes = map[int]bool{
	4: true, 17: true, 32: true, 341: true, 613: true,
	80001: true, 80002: true, 80004: true, 80005: true, 80006: true, 80007: true, 80008: true, 80009: true,
	130429: true, 131048: true, 131056: true, 133016: true,
}

// transientCodes are Meta's "try again" codes: 1/2 unexpected, 1200
// temporary send failure, 131016 WhatsApp service unavailable.
var transientCodes = map[int]bool{1: true, 2: true, 1200: true, 131016: true}

// authFailure says the token no longer works: 190 (expired, revoked,
// password changed…), 102 (session), 0 as WhatsApp's AuthException, or a
// bare 401.
func (e *Error) authFailure() bool {
	switch {
	case e.Code == CodeTokenInvalid || e.Code == 102:
		return true
	case e.Code == 0:
		return e.Type == "AuthException" || e.HTTPStatus == http.StatusUnauthorized
	}
	return false
}

// DefaultRetryAfter is how long to wait after a rate limit when Meta gives
// no Retry-After. UNVERIFIED: Meta publishes no fixed back-off for these codes.
var DefaultRetryAfter = time.Minute

// Classify turns a Graph call's error into a *parley.SendError: rate limits
// → rate_limited, 1/2/5xx/network → transient, 190 → auth, everything else
// (window closed, recipient unavailable, bad parameters) → permanent with
// Meta's message as the reason. A *parley.SendError passes through.
func Classify(err error) *parley.SendError {
	if err == nil {
		return nil
	}
	var se *parley.SendError
	if errors.As(err, &se) {
		return se
	}
	var ge *Error
	if !errors.As(err, &ge) {
		if IsNetwork(err) {
			return &parley.SendError{Class: parley.SendTransient, Reason: "could not reach Meta", Err: err}
		}
		return &parley.SendError{Class: parley.SendTransient, Reason: err.Error(), Err: err}
	}
	out := &parley.SendError{Code: ge.CodeString(), Reason: ge.Reason(), Err: ge}
	switch {
	case rateLimitCodes[ge.Code] || ge.HTTPStatus == http.StatusTooManyRequests:
		out.Class = parley.SendRateLimited
		out.RetryAfter = ge.RetryAfter
		if out.RetryAfter == 0 {
			out.RetryAfter = DefaultRetryAfter
		}
	case ge.authFailure():
		out.Class = parley.SendAuth
	case transientCodes[ge.Code] || ge.IsTransient || ge.HTTPStatus >= 500:
		out.Class = parley.SendTransient
	default:
		out.Class = parley.SendPermanent
	}
	return out
}

// WindowClosed reports whether a Graph error says the reply window is shut.
func (e *Error) WindowClosed() bool {
	return (e.Code == CodeWindowClosed && e.Subcode == SubcodeOutsideWindow) || e.Code == CodeWAReEngagement
}

// Undeliverable reports whether the recipient cannot receive messages
// (blocked the page, deleted the account, not on WhatsApp).
func (e *Error) Undeliverable() bool {
	return e.Subcode == SubcodeUnavailable || e.Code == CodeWAUndeliverable
}
