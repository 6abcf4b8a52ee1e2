// Package secret seals small secrets (channel credentials) before they are
// stored, with XChaCha20-Poly1305: a random 24-byte nonce is safe to pick at
// random for every message, so no nonce bookkeeping is needed.
package secret

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"

	"github.com/parleyhq/parley"
	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the length of a Box key in bytes.
const KeySize = chacha20poly1305.KeySize

// version prefixes every sealed value so that the format (or the key) can
// change later without guessing what old rows hold.
const version byte = 1

// Box seals and opens secrets with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, parley.Errorf(parley.EINVALID, "secret key must be %d bytes, got %d", KeySize, len(key))
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "creating cipher")
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts and authenticates plaintext. The result is
// version || nonce || ciphertext+tag.
func (b *Box) Seal(plaintext []byte) ([]byte, error) {
	nonceSize := b.aead.NonceSize()
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+b.aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "reading nonce")
	}
	nonce := out[1:]
	return b.aead.Seal(out, nonce, plaintext, []byte{version}), nil
}

// Open checks and decrypts a value made by Seal. A value that was altered,
// truncated or sealed with another key fails with EINVALID.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	nonceSize := b.aead.NonceSize()
	if len(sealed) < 1+nonceSize+b.aead.Overhead() {
		return nil, parley.WrapError(parley.EINVALID, errors.New("too short"), "sealed secret is malformed")
	}
	if sealed[0] != version {
		return nil, parley.Errorf(parley.EINVALID, "sealed secret has unknown version %d", sealed[0])
	}
	nonce, ciphertext := sealed[1:1+nonceSize], sealed[1+nonceSize:]
	plain, err := b.aead.Open(nil, nonce, ciphertext, sealed[:1])
	if err != nil {
		return nil, parley.WrapError(parley.EINVALID, err, "sealed secret failed authentication")
	}
	return plain, nil
}
