package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// The tests in this package run the real binary, as an operator would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// mustBuild compiles cmd/parley once per test run.
func mustBuild(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "parley-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "parley")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// node is one running `parley serve` process.
type node struct {
	t    testing.TB
	cmd  *exec.Cmd
	base string
	logs *syncBuffer
	done chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingAddr = regexp.MustCompile(`parley is serving.*addr=(\S+)`)

// startNode runs `parley serve` in dir with env and waits until it serves.
func startNode(t testing.TB, dir string, env ...string) *node {
	t.Helper()
	cmd := exec.Command(mustBuild(t), "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	logs := &syncBuffer{}
	pr, pw := io.Pipe()
	cmd.Stderr = io.MultiWriter(logs, pw)
	cmd.Stdout = logs
	n := &node{t: t, cmd: cmd, logs: logs, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.done <- cmd.Wait(); pw.Close() }()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := servingAddr.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case a := <-addr:
		n.base = "http://" + a
	case err := <-n.done:
		t.Fatalf("parley serve exited at start: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		n.kill()
		t.Fatalf("parley serve did not start\n%s", logs)
	}
	t.Cleanup(func() {
		if n.cmd.ProcessState == nil {
			n.kill()
		}
		if t.Failed() {
			t.Logf("logs of %s:\n%s", n.base, tail(logs.String(), 4000))
		}
	})
	return n
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// kill is kill -9: no drain, no cleanup.
func (n *node) kill() {
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
}

// stop sends SIGTERM and returns the exit error.
func (n *node) stop() error {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-n.done:
		return err
	case <-time.After(40 * time.Second):
		n.kill()
		return fmt.Errorf("did not stop within 40s")
	}
}

// apiClient is an agent's HTTP client with a session cookie.
type apiClient struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func signIn(t testing.TB, base, email, password string) *apiClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &apiClient{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	c.mustDo("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, nil)
	return c
}

func (c *apiClient) do(method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %s %s", method, path, resp.Status, b)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

func (c *apiClient) mustDo(method, path string, in, out any) {
	c.t.Helper()
	if _, err := c.do(method, path, in, out); err != nil {
		c.t.Fatal(err)
	}
}

// createAPIChannel connects an API channel with the given secret.
func (c *apiClient) createAPIChannel(secret, webhookURL string) int64 {
	c.t.Helper()
	var ch struct {
		ID int64 `json:"id"`
	}
	c.mustDo("POST", "/api/v1/channels", map[string]any{"platform": "api", "name": "reliability",
		"config": map[string]string{"webhook_url": webhookURL}, "secrets": map[string]string{"secret": secret}}, &ch)
	return ch.ID
}

// postInbound posts one signed API-channel webhook and returns the status
// (0 when the connection failed, e.g. the server is down).
func postInbound(base string, channelID int64, secret string, body []byte) int {
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/hooks/api/%d", base, channelID), bytes.NewReader(body))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	req.Header.Set("X-Parley-Timestamp", ts)
	req.Header.Set("X-Parley-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func inboundBody(id, contact, text string) []byte {
	b, _ := json.Marshal(map[string]any{"messages": []map[string]any{{
		"id": id, "contact": map[string]string{"id": contact, "name": "Customer " + contact}, "text": text,
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano),
	}}})
	return b
}

// postgresDSN returns a fresh PostgreSQL database for one test, or skips
// (fails under CI) when there is no server.
func postgresDSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("PARLEY_TEST_POSTGRES")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("pgx", admin)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		missingService(t, "PostgreSQL", err)
	}
	name := fmt.Sprintf("parley_e2e_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		db.Close()
	})
	return strings.Replace(admin, "/postgres?", "/"+name+"?", 1)
}

// natsURL returns the machine's NATS server, or skips (fails under CI).
func natsURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("PARLEY_TEST_NATS")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	hostport := strings.TrimPrefix(url, "nats://")
	conn, err := (&netDialer{}).dial(hostport)
	if err != nil {
		missingService(t, "NATS", err)
	}
	conn.Close()
	return url
}

func missingService(t testing.TB, name string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: %v", name, err)
	}
	t.Skipf("%s not available: %v", name, err)
}
