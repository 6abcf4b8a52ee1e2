// Package auth hashes agents' passwords and mints session and API tokens.
//
// Passwords are low-entropy secrets chosen by people, so they get a slow,
// memory-hard hash (argon2id). Tokens are 256 random bits chosen by us, so a
// single SHA-256 is enough to store them safely and checking one costs
// microseconds instead of the tens of milliseconds a password check costs.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. Memory is in KiB.
type Params struct {
	Memory     uint32
	Iterations uint32
	Threads    uint8
	SaltLen    uint32
	KeyLen     uint32
}

// DefaultParams follow RFC 9106's second recommended option scaled to a small
// server: 64 MiB, one pass, two lanes (the machine has two cores). One hash
// costs tens of milliseconds, which is what makes guessing expensive.
var DefaultParams = Params{Memory: 64 * 1024, Iterations: 1, Threads: 2, SaltLen: 16, KeyLen: 32}

// MaxPasswordBytes bounds the input we are willing to hash.
const MaxPasswordBytes = 1024

// Limits on parameters read back from a stored hash, so that a corrupted or
// hostile row cannot make one verification allocate gigabytes.
const (
	maxMemoryKiB  = 1 << 20 // 1 GiB
	maxIterations = 64
	maxKeyLen     = 1024
)

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// HashPassword hashes password with DefaultParams and returns a PHC string:
// $argon2id$v=19$m=65536,t=1,p=2$<salt>$<hash>.
func HashPassword(password string) (string, error) {
	return HashPasswordWith(DefaultParams, password)
}

// HashPasswordWith hashes password with explicit parameters.
func HashPasswordWith(p Params, password string) (string, error) {
	if password == "" {
		return "", parley.Errorf(parley.EINVALID, "password is empty")
	}
	if len(password) > MaxPasswordBytes {
		return "", parley.Errorf(parley.EINVALID, "password is longer than %d bytes", MaxPasswordBytes)
	}
	if p.Memory < 8*uint32(p.Threads) || p.Iterations == 0 || p.Threads == 0 || p.SaltLen < 8 || p.KeyLen < 16 {
		return "", parley.Errorf(parley.EINVALID, "argon2id parameters too weak: %+v", p)
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // never fails (crypto/rand, Go 1.24+)
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// VerifyPassword reports whether password matches the PHC string encoded.
// The comparison is constant-time. A malformed encoded hash is an EINTERNAL
// error (stored data is broken), not a mismatch.
func VerifyPassword(encoded, password string) (bool, error) {
	h, err := ParsePHC(encoded)
	if err != nil {
		return false, parley.WrapError(parley.EINTERNAL, err, "stored password hash is unreadable")
	}
	if len(password) > MaxPasswordBytes {
		return false, nil
	}
	key := argon2.IDKey([]byte(password), h.Salt, h.Params.Iterations, h.Params.Memory, h.Params.Threads, h.Params.KeyLen)
	return subtle.ConstantTimeCompare(key, h.Key) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// want (weaker or merely different), so that the caller should store a fresh
// hash after the next successful sign-in.
func NeedsRehash(encoded string, want Params) bool {
	h, err := ParsePHC(encoded)
	if err != nil {
		return true
	}
	got := h.Params
	return got.Memory != want.Memory || got.Iterations != want.Iterations || got.Threads != want.Threads ||
		got.KeyLen != want.KeyLen || got.SaltLen != want.SaltLen
}

// PHC is a decoded argon2id PHC string.
type PHC struct {
	Params Params
	Salt   []byte
	Key    []byte
}

// ParsePHC decodes an argon2id PHC string. Anything else is an EINVALID error.
func ParsePHC(encoded string) (*PHC, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, parley.Errorf(parley.EINVALID, "not an argon2id PHC string")
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return nil, parley.Errorf(parley.EINVALID, "unsupported argon2 version %q", parts[2])
	}
	var p Params
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Threads); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Iterations, p.Threads) != parts[3] {
		return nil, parley.Errorf(parley.EINVALID, "malformed argon2id parameters %q", parts[3])
	}
	if p.Iterations == 0 || p.Iterations > maxIterations || p.Threads == 0 ||
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB {
		return nil, parley.Errorf(parley.EINVALID, "argon2id parameters out of range %q", parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return nil, parley.Errorf(parley.EINVALID, "malformed argon2id salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > maxKeyLen {
		return nil, parley.Errorf(parley.EINVALID, "malformed argon2id hash")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return &PHC{Params: p, Salt: salt, Key: key}, nil
}

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}
