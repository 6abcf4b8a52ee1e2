package bench

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"time"
)

// client talks to a Parley server as an admin.
type client struct {
	base  string
	http  *http.Client
	token string
}

func newClient(base string, conns int) *client {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute}
	return &client{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}}
}

// signIn authenticates with a token, or with e-mail and password and then
// mints an API token (so WebSocket dials can carry it).
func (c *client) signIn(ctx context.Context, token, email, password string) error {
	if token != "" {
		c.token = token
		return nil
	}
	if err := c.do(ctx, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, nil); err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := c.do(ctx, "POST", "/api/v1/tokens", map[string]string{"name": "bench " + time.Now().Format(time.RFC3339)}, &tok); err != nil {
		return fmt.Errorf("creating an API token: %w", err)
	}
	if tok.Token == "" {
		return fmt.Errorf("the server returned no token")
	}
	c.token = tok.Token
	return nil
}

func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// createAPIChannel connects a fresh API channel and returns its id.
func (c *client) createAPIChannel(ctx context.Context, name, secret string) (int64, error) {
	var ch struct {
		ID int64 `json:"id"`
	}
	err := c.do(ctx, "POST", "/api/v1/channels", map[string]any{
		"platform": "api", "name": name, "config": map[string]string{}, "secrets": map[string]string{"secret": secret},
	}, &ch)
	return ch.ID, err
}

// signAPIWebhook signs a body the way the API channel expects.
func signAPIWebhook(req *http.Request, secret string, body []byte, now time.Time) {
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	req.Header.Set("X-Parley-Timestamp", ts)
	req.Header.Set("X-Parley-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/json")
}
