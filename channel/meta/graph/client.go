package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// maxResponseBytes bounds a Graph API response body read into memory.
const maxResponseBytes = 1 << 20

// AuthMode says how the access token travels.
type AuthMode int

// Token placements: the Messenger and Page samples pass ?access_token=,
// WhatsApp's Cloud API uses a Bearer header (PLATFORMS.md §1, §4).
const (
	AuthQuery AuthMode = iota
	AuthBearer
)

// Client calls the Graph API under BaseURL/Version.
type Client struct {
	BaseURL string
	Version string
	Token   string
	Auth    AuthMode
	HTTP    *http.Client // nil: a client with a 30 s timeout
}

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// URL returns the versioned address of a Graph path ("/123/messages");
// without a Version the path is not versioned (Instagram's OAuth calls).
func (c *Client) URL(path string) string {
	if c.Version == "" {
		return c.BaseURL + "/" + strings.TrimLeft(path, "/")
	}
	return c.BaseURL + "/" + c.Version + "/" + strings.TrimLeft(path, "/")
}

// PostJSON sends body as JSON and decodes the answer into out.
func (c *Client) PostJSON(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, err, "meta: encoding request")
	}
	return c.do(ctx, http.MethodPost, path, "application/json", bytes.NewReader(b), out)
}

// PostForm sends form fields and decodes the answer into out.
func (c *Client) PostForm(ctx context.Context, path string, form url.Values, out any) error {
	return c.do(ctx, http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), out)
}

// Get fetches a Graph object into out.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, "", nil, out)
}

func (c *Client) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.URL(path), body)
	if err != nil {
		return parley.WrapError(parley.EINVALID, err, "meta: building request for %s", path)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	c.authorize(req)
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &NetworkError{Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return &NetworkError{Err: err}
	}
	if resp.StatusCode/100 != 2 {
		return ParseError(resp.StatusCode, resp.Header, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &Error{HTTPStatus: resp.StatusCode, Message: "unreadable Graph API response: " + err.Error(), Code: -1}
	}
	return nil
}

func (c *Client) authorize(req *http.Request) {
	if c.Token == "" {
		return
	}
	if c.Auth == AuthBearer {
		req.Header.Set("Authorization", "Bearer "+c.Token)
		return
	}
	q := req.URL.Query()
	q.Set("access_token", c.Token)
	req.URL.RawQuery = q.Encode()
}

// NetworkError is a failure to reach the Graph API at all (a transient send error).
type NetworkError struct{ Err error }

func (e *NetworkError) Error() string { return "meta: graph unreachable: " + e.Err.Error() }
func (e *NetworkError) Unwrap() error { return e.Err }

// IsNetwork reports whether err is a NetworkError.
func IsNetwork(err error) bool {
	var n *NetworkError
	return errors.As(err, &n)
}
