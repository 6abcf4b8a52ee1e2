package app_test

import (
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/app"
)

// TestServeDemo: `parley serve --demo` connects the four demo channels and
// conversations start arriving with no Meta account.
func TestServeDemo(t *testing.T) {
	cfg, err := app.Load(flag.NewFlagSet("serve", flag.ContinueOnError), []string{"--demo", "--addr", "127.0.0.1:0",
		"--data-dir", t.TempDir(), "--admin-email", "ana@example.com", "--admin-password", "correct-horse-battery"})
	if err != nil || !cfg.Demo {
		t.Fatalf("--demo: %v (demo %t)", err, cfg.Demo)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	chans, err := a.Store.FindChannels(context.Background())
	if err != nil || len(chans) != 4 {
		t.Fatalf("%d demo channels, %v", len(chans), err)
	}
	base := "http://" + a.Addr()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/login", strings.NewReader(`{"email":"ana@example.com","password":"correct-horse-battery"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login: %v", err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(base + "/api/v1/conversations")
		if err != nil {
			t.Fatal(err)
		}
		var page struct{ Items []json.RawMessage }
		_ = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if len(page.Items) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no demo conversation arrived")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
