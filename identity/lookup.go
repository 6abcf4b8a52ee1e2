package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// LookupConfig says how to fetch a contact's data from the company's own
// systems (CRM, shop, billing): GET URLTemplate with {email}, {phone} and
// {id} filled in (URL-escaped), with one auth header, within Timeout; an
// answer is reused for CacheTTL.
type LookupConfig struct {
	URLTemplate string        `json:"url_template"`
	HeaderName  string        `json:"header_name,omitempty"`  // e.g. Authorization
	HeaderValue string        `json:"header_value,omitempty"` // secret: sealed at rest, never shown
	Timeout     time.Duration `json:"timeout"`
	CacheTTL    time.Duration `json:"cache_ttl"`
}

// Lookup defaults and limits.
const (
	DefaultLookupTimeout = 3 * time.Second
	DefaultLookupTTL     = 10 * time.Minute
	maxLookupBody        = 256 << 10
)

// Enabled reports whether a lookup is configured.
func (c LookupConfig) Enabled() bool { return c.URLTemplate != "" }

// Validate checks the template is an absolute http(s) URL and fills defaults.
func (c *LookupConfig) Validate() error {
	if c.URLTemplate == "" {
		return nil // disabled
	}
	probe := strings.NewReplacer("{email}", "x", "{phone}", "1", "{id}", "1").Replace(c.URLTemplate)
	u, err := url.Parse(probe)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return parley.Errorf(parley.EINVALID, "url_template must be an absolute http(s) URL")
	}
	if c.HeaderName != "" && strings.ContainsAny(c.HeaderName, " :\r\n") {
		return parley.Errorf(parley.EINVALID, "header_name %q is not a header name", c.HeaderName)
	}
	if strings.ContainsAny(c.HeaderValue, "\r\n") {
		return parley.Errorf(parley.EINVALID, "header_value must be one line")
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultLookupTimeout
	}
	if c.Timeout > 30*time.Second {
		return parley.Errorf(parley.EINVALID, "timeout must be at most 30s")
	}
	if c.CacheTTL < 0 {
		return parley.Errorf(parley.EINVALID, "cache_ttl must not be negative")
	}
	return nil
}

// LookupResult is what the 360 view shows of the company's systems. A
// failure is shown, never fatal: Status "error" with the reason.
type LookupResult struct {
	Status    string          `json:"status"` // ok, error, disabled
	Data      json.RawMessage `json:"data,omitempty"`
	Error     string          `json:"error,omitempty"`
	Cached    bool            `json:"cached"`
	FetchedAt time.Time       `json:"fetched_at,omitzero"`
}

// Lookup statuses.
const (
	LookupOK       = "ok"
	LookupError    = "error"
	LookupDisabled = "disabled"
)

// LookupURL fills the template for a contact.
func LookupURL(template string, c *parley.Contact) string {
	return strings.NewReplacer(
		"{email}", url.QueryEscape(c.Email),
		"{phone}", url.QueryEscape(c.Phone),
		"{id}", strconv.FormatInt(c.ID, 10),
	).Replace(template)
}

// FetchLookup asks the company's system about c. It never returns an
// error: what went wrong is in the result, so the 360 view still renders.
func FetchLookup(ctx context.Context, client *http.Client, cfg LookupConfig, c *parley.Contact, now time.Time) LookupResult {
	if !cfg.Enabled() {
		return LookupResult{Status: LookupDisabled}
	}
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, cmp(cfg.Timeout, DefaultLookupTimeout))
	defer cancel()
	fail := func(format string, args ...any) LookupResult {
		return LookupResult{Status: LookupError, Error: fmt.Sprintf(format, args...), FetchedAt: now}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, LookupURL(cfg.URLTemplate, c), nil)
	if err != nil {
		return fail("bad lookup URL: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	if cfg.HeaderName != "" {
		req.Header.Set(cfg.HeaderName, cfg.HeaderValue)
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fail("lookup timed out after %s", cmp(cfg.Timeout, DefaultLookupTimeout))
		}
		return fail("lookup failed: %s", redactURL(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxLookupBody+1))
	switch {
	case err != nil:
		return fail("reading lookup answer: %v", err)
	case resp.StatusCode == http.StatusNotFound:
		return LookupResult{Status: LookupOK, Data: json.RawMessage("null"), FetchedAt: now}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fail("lookup answered %s", resp.Status)
	case len(body) > maxLookupBody:
		return fail("lookup answer is larger than %d bytes", maxLookupBody)
	case !json.Valid(body):
		return fail("lookup answer is not JSON")
	}
	return LookupResult{Status: LookupOK, Data: json.RawMessage(body), FetchedAt: now}
}

func cmp(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// redactURL keeps the query string (which holds the customer's e-mail or
// phone) out of error texts that may be logged.
func redactURL(err error) string {
	var ue *url.Error
	if e, ok := err.(*url.Error); ok {
		ue = e
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}
