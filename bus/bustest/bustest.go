// Package bustest opens real NATS JetStream backbones for tests: the
// embedded in-process server in a temporary directory, a listening
// nats-server started by the test, and the shared server of the machine
// (nats://127.0.0.1:4222, or PARLEY_TEST_NATS_URL) under a unique prefix.
package bustest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/bus"
)

// Opener opens a Bus for a test; fields of cfg left zero are filled in
// (Prefix, URL, DataDir) and the bus is closed when the test ends.
type Opener func(tb testing.TB, cfg bus.Config) *bus.Bus

// ForEachBackend runs fn against the embedded server and the shared server.
func ForEachBackend(t *testing.T, fn func(t *testing.T, open Opener)) {
	t.Run("embedded", func(t *testing.T) { fn(t, embeddedOpener()) })
	t.Run("shared", func(t *testing.T) { fn(t, urlOpener(t, SharedURL(t))) })
}

// ForEachServer runs fn against servers that several Bus values can share
// (as several nodes would): a listening nats-server started for the test,
// and the shared server. Every bus fn opens joins the same namespace.
func ForEachServer(t *testing.T, fn func(t *testing.T, open Opener)) {
	t.Run("server", func(t *testing.T) { fn(t, urlOpener(t, MustRunServer(t))) })
	t.Run("shared", func(t *testing.T) { fn(t, urlOpener(t, SharedURL(t))) })
}

func embeddedOpener() Opener {
	return func(tb testing.TB, cfg bus.Config) *bus.Bus {
		tb.Helper()
		if cfg.DataDir == "" {
			cfg.DataDir = tb.TempDir()
		}
		return MustOpen(tb, cfg)
	}
}

// urlOpener opens buses on url under one unique prefix, deleting the
// prefix's streams when the test ends.
func urlOpener(t *testing.T, url string) Opener {
	prefix := UniquePrefix(t)
	var names []string
	t.Cleanup(func() { deleteStreams(t, url, names) })
	return func(tb testing.TB, cfg bus.Config) *bus.Bus {
		tb.Helper()
		cfg.URL = url
		if cfg.Prefix == "" {
			cfg.Prefix = prefix
		}
		b := MustOpen(tb, cfg)
		names = b.StreamNames()
		return b
	}
}

// MustOpen opens a bus and closes it when the test ends.
func MustOpen(tb testing.TB, cfg bus.Config) *bus.Bus {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("open bus: %v", err)
	}
	tb.Cleanup(func() { _ = b.Close() })
	return b
}

// UniquePrefix returns a fresh namespace so runs never see each other.
func UniquePrefix(tb testing.TB) string {
	var buf [6]byte
	if _, err := rand.Read(buf[:]); err != nil {
		tb.Fatal(err)
	}
	return "t" + hex.EncodeToString(buf[:])
}

// SharedURL is the machine's NATS server. If it does not answer the test
// is skipped, or fails when CI=true.
func SharedURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("PARLEY_TEST_NATS_URL")
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	parsed, err := url.Parse(u)
	if err == nil {
		var conn net.Conn
		if conn, err = net.DialTimeout("tcp", parsed.Host, time.Second); err == nil {
			conn.Close()
			return u
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("NATS at %s unreachable: %v", u, err)
	}
	tb.Skipf("NATS at %s unreachable: %v", u, err)
	return ""
}

// MustRunServer starts a listening JetStream server on a free port with its
// files in a temporary directory, and returns its URL.
func MustRunServer(tb testing.TB) string {
	tb.Helper()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: tb.TempDir(), NoSigs: true, NoLog: true,
	})
	if err != nil {
		tb.Fatalf("nats server: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		tb.Fatal("nats server did not start")
	}
	tb.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return srv.ClientURL()
}

func deleteStreams(tb testing.TB, url string, names []string) {
	if len(names) == 0 {
		return
	}
	nc, err := nats.Connect(url)
	if err != nil {
		tb.Logf("clean up streams: %v", err)
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, n := range names {
		_ = js.DeleteStream(ctx, n)
	}
}
