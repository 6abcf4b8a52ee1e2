// Package faketest starts the fake Graph API for tests. It lives apart
// from package fake so that the binary, which runs the fake in demo mode,
// does not link the testing package.
package faketest

import (
	"testing"

	"github.com/parleyhq/parley/channel/meta/fake"
)

// MustStart starts a fake on a free loopback port for the length of a test.
func MustStart(tb testing.TB, cfg fake.Config) *fake.Server {
	tb.Helper()
	s := fake.New(cfg)
	if err := s.Listen("127.0.0.1:0"); err != nil {
		tb.Fatalf("fake: listen: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
