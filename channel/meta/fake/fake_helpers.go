package fake

import "testing"

// MustStart starts a fake on a free loopback port for the length of a test.
func MustStart(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s := New(cfg)
	if err := s.Listen("127.0.0.1:0"); err != nil {
		tb.Fatalf("fake: listen: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
