package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Token prefixes tell a reader (and secret scanners) what a token is.
const (
	APITokenPrefix = "pt_"
	SessionPrefix  = "ps_"
)

// tokenBytes is the token's entropy: 256 bits, far beyond guessing, which is
// why a fast hash is safe for storing tokens.
const tokenBytes = 32

// NewToken returns a fresh token, prefix followed by 32 random bytes in
// unpadded base64url, and the hash to store (see HashToken).
func NewToken(prefix string) (plain string, hash []byte) {
	b := make([]byte, tokenBytes)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashToken(plain)
}

// HashToken is the stored form of a token: its SHA-256. Looking a token up
// by this hash costs one SHA-256, never a password hash.
func HashToken(plain string) []byte {
	sum := sha256.Sum256([]byte(plain))
	return sum[:]
}

// LooksLikeToken reports whether s has the shape of a token with the given
// prefix, so obviously wrong values are refused before any lookup.
func LooksLikeToken(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}

// DisplayPrefix is the start of a token shown in lists ("pt_Ab3dE…") so an
// agent can tell their tokens apart; it reveals 6 of 256 random bits' worth
// of characters, nothing usable.
func DisplayPrefix(plain string) string {
	const n = 9 // "pt_" + 6 characters
	if len(plain) <= n {
		return plain
	}
	return plain[:n]
}
