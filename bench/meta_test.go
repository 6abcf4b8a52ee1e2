package bench

import (
	"context"
	"flag"
	"log/slog"
	"testing"
	"time"

	"github.com/parleyhq/parley/app"
)

// TestIngestMetaPlatforms runs a short ingest per platform against a real
// in-process node: every acknowledged, signed webhook message must reach
// an agent socket. It checks the generator's plumbing, not speed (that is
// for `parley bench ingest` on a quiet machine).
func TestIngestMetaPlatforms(t *testing.T) {
	cfg, err := app.Load(flag.NewFlagSet("bench", flag.ContinueOnError), []string{"--addr", "127.0.0.1:0",
		"--data-dir", t.TempDir(), "--admin-email", "bench@example.com", "--admin-password", "bench-password"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		a.Close()
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	for _, platform := range []string{platformMessenger, platformWhatsApp, platformAPI} {
		t.Run(platform, func(t *testing.T) {
			res, err := Ingest(t.Context(), ingestOptions{url: "http://" + a.Addr(), email: "bench@example.com", password: "bench-password",
				platform: platform, rate: 100, duration: 500 * time.Millisecond, drain: 10 * time.Second,
				batch: 5, concurrency: 4, agents: 1, contacts: 20})
			if err != nil {
				t.Fatal(err)
			}
			if res.accepted == 0 || res.failedRequests != 0 || res.received != res.accepted {
				t.Fatalf("%s", res)
			}
			t.Logf("%s", res)
		})
	}
	t.Run("unknown platform", func(t *testing.T) {
		if _, err := Ingest(t.Context(), ingestOptions{url: "http://" + a.Addr(), email: "bench@example.com", password: "bench-password",
			platform: "telegraph", duration: time.Millisecond, concurrency: 1, agents: 1}); err == nil {
			t.Fatal("an unknown platform was accepted")
		}
	})
}
