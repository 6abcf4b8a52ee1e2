package secret_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/secret"
)

func MustNewBox(tb testing.TB) *secret.Box {
	tb.Helper()
	key := make([]byte, secret.KeySize)
	if _, err := rand.Read(key); err != nil {
		tb.Fatal(err)
	}
	box, err := secret.NewBox(key)
	if err != nil {
		tb.Fatal(err)
	}
	return box
}

func TestBox(t *testing.T) {
	box := MustNewBox(t)
	plain := []byte("EAAG-page-access-token")

	t.Run("round trip returns the plaintext", func(t *testing.T) {
		sealed, err := box.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, plain) {
			t.Fatal("sealed value contains the plaintext")
		}
		got, err := box.Open(sealed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("opened %q, want %q", got, plain)
		}
	})

	t.Run("same plaintext seals differently each time", func(t *testing.T) {
		a, _ := box.Seal(plain)
		b, _ := box.Seal(plain)
		if bytes.Equal(a, b) {
			t.Fatal("two seals are identical: nonce is not random")
		}
	})

	t.Run("any flipped bit is detected", func(t *testing.T) {
		sealed, _ := box.Seal(plain)
		for i := range sealed {
			tampered := bytes.Clone(sealed)
			tampered[i] ^= 0x01
			if _, err := box.Open(tampered); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("byte %d flipped: err = %v, want invalid", i, err)
			}
		}
	})

	t.Run("truncated value is rejected", func(t *testing.T) {
		sealed, _ := box.Seal(plain)
		for _, n := range []int{0, 1, 25, len(sealed) - 1} {
			if _, err := box.Open(sealed[:n]); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("length %d: err = %v, want invalid", n, err)
			}
		}
	})

	t.Run("another key cannot open it", func(t *testing.T) {
		sealed, _ := box.Seal(plain)
		if _, err := MustNewBox(t).Open(sealed); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v, want invalid", err)
		}
	})

	t.Run("empty plaintext round-trips", func(t *testing.T) {
		sealed, _ := box.Seal(nil)
		got, err := box.Open(sealed)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %q, %v", got, err)
		}
	})
}

func TestNewBoxRejectsWrongKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := secret.NewBox(make([]byte, n)); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("key of %d bytes: err = %v, want invalid", n, err)
		}
	}
}

func FuzzOpen(f *testing.F) {
	box := MustNewBox(f)
	sealed, _ := box.Seal([]byte("seed"))
	f.Add(sealed)
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := box.Open(data); err == nil && !bytes.Equal(data, sealed) {
			t.Fatalf("forged value opened: %x", data)
		}
	})
}
