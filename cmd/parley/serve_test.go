package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestZeroConfigServeOffersSetupAndStopsCleanly is the first run of a new
// user: no flags, no environment. It must create ./data, print a one-time
// setup link, answer health checks, and exit 0 on SIGTERM.
func TestZeroConfigServeOffersSetupAndStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/"} {
		resp, err := http.Get(n.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", path, resp.StatusCode)
		}
	}
	if !strings.Contains(n.logs.String(), "/setup?token=") {
		t.Errorf("no setup link in the log:\n%s", n.logs)
	}
	for _, f := range []string{"parley.db", "secret.key", "nats"} {
		if _, err := os.Stat(filepath.Join(dir, "data", f)); err != nil {
			t.Errorf("data/%s: %v", f, err)
		}
	}
	if err := n.stop(); err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, n.logs)
	}
	if !strings.Contains(n.logs.String(), "stopped cleanly") {
		t.Errorf("no clean stop in the log:\n%s", n.logs)
	}
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	runCmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), args, &out, &out)
		return out.String(), err
	}
	out, err := runCmd("version")
	if err != nil || !strings.HasPrefix(out, "parley ") {
		t.Fatalf("version: %q %v", out, err)
	}
	data := filepath.Join(dir, "data")
	if out, err := runCmd("migrate", "--data-dir", data); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	out, err = runCmd("admin", "create", "--data-dir", data, "--email", "Boss@Example.com", "--password", "longenough", "--role", "supervisor")
	if err != nil || !strings.Contains(out, "created supervisor boss@example.com") {
		t.Fatalf("admin create: %q %v", out, err)
	}
	if _, err := runCmd("admin", "create", "--data-dir", data, "--email", "x@example.com", "--password", "short"); err == nil {
		t.Fatal("a 5-character password was accepted")
	}
	if _, err := runCmd("frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

// TestServeWithConfigFile checks that a JSON config file is read and that
// flags override it.
func TestServeWithConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "parley.json")
	if err := os.WriteFile(cfg, []byte(`{"data_dir":"`+filepath.Join(dir, "from-file")+`","log_level":"warn"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(mustBuild(t), "migrate", "--config", cfg)
	cmd.Env = os.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "from-file", "parley.db")); err != nil {
		t.Fatalf("config file data_dir not used: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"no_such_setting":1}`), 0o600)
	cmd = exec.Command(mustBuild(t), "migrate", "--config", bad)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no_such_setting") {
		t.Fatalf("unknown setting accepted: %v %s", err, out)
	}
}
