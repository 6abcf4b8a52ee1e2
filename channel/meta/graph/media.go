package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley"
)

// MediaFetcher downloads platform media without becoming an SSRF hole: only
// http(s) URLs on allow-listed hosts (suffix match on a dot boundary), https
// unless the host is the trusted Graph host, never a private or loopback
// address unless it is that trusted host, every redirect re-checked, and at
// most MaxBytes read.
type MediaFetcher struct {
	Hosts       []string
	TrustedHost string // host[:port] of graph_base_url
	MaxBytes    int64
	Timeout     time.Duration // default 60 s
}

// Fetch GETs rawURL, with a Bearer token when token is set (WhatsApp media
// URLs need the same token as the API). The caller closes the body.
func (f *MediaFetcher) Fetch(ctx context.Context, rawURL, token string) (io.ReadCloser, string, error) {
	u, err := f.check(rawURL)
	if err != nil {
		return nil, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", parley.WrapError(parley.EINVALID, err, "meta: media URL")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := f.client().Do(req)
	if err != nil {
		var pe *parley.Error
		if errors.As(err, &pe) {
			return nil, "", pe
		}
		return nil, "", parley.WrapError(parley.EUNAVAILABLE, err, "meta: fetching media")
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		code := parley.EUNAVAILABLE
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			code = parley.ENOTFOUND
		}
		return nil, "", parley.Errorf(code, "meta: media fetch answered %d", resp.StatusCode)
	}
	if resp.ContentLength > f.maxBytes() {
		resp.Body.Close()
		return nil, "", parley.Errorf(parley.ETOOLARGE, "meta: media is %d bytes, limit %d", resp.ContentLength, f.maxBytes())
	}
	return &limitedBody{rc: resp.Body, left: f.maxBytes()}, resp.Header.Get("Content-Type"), nil
}

func (f *MediaFetcher) maxBytes() int64 {
	if f.MaxBytes <= 0 {
		return DefaultMediaMaxBytes
	}
	return f.MaxBytes
}

// check refuses URLs outside the allow-list.
func (f *MediaFetcher) check(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, parley.Errorf(parley.EINVALID, "meta: media URL %q is not absolute", rawURL)
	}
	trusted := f.TrustedHost != "" && strings.EqualFold(u.Host, f.TrustedHost)
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && trusted:
	default:
		return nil, parley.Errorf(parley.EFORBIDDEN, "meta: media URL scheme %q not allowed", u.Scheme)
	}
	if u.User != nil {
		return nil, parley.Errorf(parley.EFORBIDDEN, "meta: media URL may not carry credentials")
	}
	if !trusted && !f.hostAllowed(u.Hostname()) {
		return nil, parley.Errorf(parley.EFORBIDDEN, "meta: media host %q is not an allowed Meta host", u.Hostname())
	}
	return u, nil
}

func (f *MediaFetcher) hostAllowed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range f.Hosts {
		h = strings.ToLower(strings.TrimPrefix(h, "."))
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

func (f *MediaFetcher) client() *http.Client {
	timeout := f.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: f.dialControl}
	tr := &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: 10 * time.Second, Proxy: nil}
	return &http.Client{
		Timeout:   timeout,
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return parley.Errorf(parley.EFORBIDDEN, "meta: too many media redirects")
			}
			_, err := f.check(req.URL.String())
			return err
		},
	}
}

// dialControl refuses private, loopback and link-local addresses (DNS
// rebinding, metadata endpoints) except for the trusted Graph host.
func (f *MediaFetcher) dialControl(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return fmt.Errorf("meta: dialing non-IP %q", host)
	}
	if !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified()) {
		return nil
	}
	if th, _, err := net.SplitHostPort(f.TrustedHost); err == nil && th == host {
		return nil
	}
	if f.TrustedHost == host {
		return nil
	}
	return parley.Errorf(parley.EFORBIDDEN, "meta: media address %s is private", host)
}

// limitedBody fails with ETOOLARGE once more than left bytes are read.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, parley.Errorf(parley.ETOOLARGE, "meta: media exceeds the size limit")
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, parley.Errorf(parley.ETOOLARGE, "meta: media exceeds the size limit")
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
