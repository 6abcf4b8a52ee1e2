package auth_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/parleyhq/parley/auth"
)

func TestNewToken(t *testing.T) {
	for _, prefix := range []string{auth.APITokenPrefix, auth.SessionPrefix} {
		t.Run(prefix+" tokens carry the prefix and 32 random bytes", func(t *testing.T) {
			plain, hash := auth.NewToken(prefix)
			rest, ok := strings.CutPrefix(plain, prefix)
			if !ok {
				t.Fatalf("%q lacks prefix", plain)
			}
			raw, err := base64.RawURLEncoding.DecodeString(rest)
			if err != nil || len(raw) != 32 {
				t.Fatalf("body %q: %d bytes, %v", rest, len(raw), err)
			}
			sum := sha256.Sum256([]byte(plain))
			if !bytes.Equal(hash, sum[:]) || !bytes.Equal(hash, auth.HashToken(plain)) {
				t.Fatal("hash is not SHA-256 of the plain token")
			}
			if !auth.LooksLikeToken(plain, prefix) {
				t.Fatal("LooksLikeToken refused a fresh token")
			}
		})
	}
	t.Run("tokens do not repeat", func(t *testing.T) {
		seen := map[string]bool{}
		for range 1000 {
			p, _ := auth.NewToken(auth.APITokenPrefix)
			if seen[p] {
				t.Fatalf("duplicate token %q", p)
			}
			seen[p] = true
		}
	})
}

func TestLooksLikeToken(t *testing.T) {
	session, _ := auth.NewToken(auth.SessionPrefix)
	api, _ := auth.NewToken(auth.APITokenPrefix)
	for name, tc := range map[string]struct {
		s, prefix string
		want      bool
	}{
		"session as session":   {session, auth.SessionPrefix, true},
		"session as api token": {session, auth.APITokenPrefix, false},
		"truncated":            {api[:len(api)-1], auth.APITokenPrefix, false},
		"bad alphabet":         {api[:len(api)-1] + "+", auth.APITokenPrefix, false},
		"empty":                {"", auth.APITokenPrefix, false},
	} {
		t.Run(name, func(t *testing.T) {
			if got := auth.LooksLikeToken(tc.s, tc.prefix); got != tc.want {
				t.Fatalf("LooksLikeToken(%q, %q) = %v", tc.s, tc.prefix, got)
			}
		})
	}
}

func TestDisplayPrefix(t *testing.T) {
	plain, _ := auth.NewToken(auth.APITokenPrefix)
	if p := auth.DisplayPrefix(plain); len(p) != 9 || !strings.HasPrefix(plain, p) {
		t.Fatalf("DisplayPrefix = %q", p)
	}
}

// BenchmarkTokenCheck is the cost of authenticating an API request (hash the
// presented token, then one indexed lookup); compare BenchmarkPasswordVerify.
func BenchmarkTokenCheck(b *testing.B) {
	plain, want := auth.NewToken(auth.APITokenPrefix)
	for b.Loop() {
		if !bytes.Equal(auth.HashToken(plain), want) {
			b.Fatal("mismatch")
		}
	}
}

// BenchmarkPasswordVerify is the cost of one sign-in with DefaultParams.
func BenchmarkPasswordVerify(b *testing.B) {
	h, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := auth.VerifyPassword(h, "correct horse battery staple"); !ok {
			b.Fatal("mismatch")
		}
	}
}
