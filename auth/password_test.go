package auth_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

// lightParams keep tests fast; DefaultParams is exercised once.
var lightParams = auth.Params{Memory: 1024, Iterations: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func MustHash(tb testing.TB, p auth.Params, password string) string {
	tb.Helper()
	h, err := auth.HashPasswordWith(p, password)
	if err != nil {
		tb.Fatalf("hash: %v", err)
	}
	return h
}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$`)

func TestHashPassword(t *testing.T) {
	t.Run("default parameters produce a PHC string that verifies", func(t *testing.T) {
		h, err := auth.HashPassword("correct horse")
		if err != nil {
			t.Fatal(err)
		}
		m := phcPattern.FindStringSubmatch(h)
		if m == nil || m[1] != "65536" || m[2] != "1" || m[3] != "2" {
			t.Fatalf("hash %q is not argon2id PHC with default params", h)
		}
		if ok, err := auth.VerifyPassword(h, "correct horse"); !ok || err != nil {
			t.Fatalf("verify = %v, %v", ok, err)
		}
	})
	t.Run("wrong password does not verify", func(t *testing.T) {
		h := MustHash(t, lightParams, "secret")
		for _, wrong := range []string{"Secret", "secret ", "", "secre", strings.Repeat("x", 2000)} {
			if ok, err := auth.VerifyPassword(h, wrong); ok || err != nil {
				t.Errorf("verify(%q) = %v, %v", wrong, ok, err)
			}
		}
	})
	t.Run("same password hashes differently (random salt)", func(t *testing.T) {
		if a, b := MustHash(t, lightParams, "pw"), MustHash(t, lightParams, "pw"); a == b {
			t.Fatalf("two hashes equal: %s", a)
		}
	})
	t.Run("non-ASCII passwords round-trip", func(t *testing.T) {
		h := MustHash(t, lightParams, "密码🔑パスワード")
		if ok, _ := auth.VerifyPassword(h, "密码🔑パスワード"); !ok {
			t.Fatal("did not verify")
		}
	})
	t.Run("empty and oversized passwords are refused", func(t *testing.T) {
		for _, pw := range []string{"", strings.Repeat("a", auth.MaxPasswordBytes+1)} {
			if _, err := auth.HashPasswordWith(lightParams, pw); parley.ErrorCode(err) != parley.EINVALID {
				t.Errorf("len %d: err = %v", len(pw), err)
			}
		}
	})
	t.Run("weak parameters are refused", func(t *testing.T) {
		if _, err := auth.HashPasswordWith(auth.Params{Memory: 1024, Iterations: 0, Threads: 1, SaltLen: 16, KeyLen: 32}, "pw"); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestVerifyPasswordTamperedHash(t *testing.T) {
	h := MustHash(t, lightParams, "secret")
	parts := strings.Split(h, "$")
	flip := func(s string) string {
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	t.Run("changed key does not verify", func(t *testing.T) {
		p := append([]string(nil), parts...)
		p[5] = flip(p[5])
		if ok, err := auth.VerifyPassword(strings.Join(p, "$"), "secret"); ok || err != nil {
			t.Fatalf("verify = %v, %v", ok, err)
		}
	})
	t.Run("changed salt does not verify", func(t *testing.T) {
		p := append([]string(nil), parts...)
		p[4] = flip(p[4])
		if ok, err := auth.VerifyPassword(strings.Join(p, "$"), "secret"); ok || err != nil {
			t.Fatalf("verify = %v, %v", ok, err)
		}
	})
	t.Run("garbage is an internal error, not a match", func(t *testing.T) {
		ok, err := auth.VerifyPassword("$2y$10$bcrypt", "secret")
		if ok || parley.ErrorCode(err) != parley.EINTERNAL {
			t.Fatalf("verify = %v, %v", ok, err)
		}
	})
}

func TestParsePHCRefusesMalformed(t *testing.T) {
	good := MustHash(t, lightParams, "pw")
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for name, s := range map[string]string{
		"empty":               "",
		"argon2i":             "$argon2i$v=19$m=1024,t=1,p=1$" + salt + "$" + key,
		"old version":         "$argon2id$v=16$m=1024,t=1,p=1$" + salt + "$" + key,
		"missing part":        "$argon2id$v=19$m=1024,t=1,p=1$" + salt,
		"params reordered":    "$argon2id$v=19$t=1,m=1024,p=1$" + salt + "$" + key,
		"trailing junk param": "$argon2id$v=19$m=1024,t=1,p=1,x=2$" + salt + "$" + key,
		"zero threads":        "$argon2id$v=19$m=1024,t=0,p=0$" + salt + "$" + key,
		"huge memory":         "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key,
		"huge iterations":     "$argon2id$v=19$m=1024,t=100000,p=1$" + salt + "$" + key,
		"bad salt base64":     "$argon2id$v=19$m=1024,t=1,p=1$!!!!$" + key,
		"short key":           "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$AAAA",
		"padded base64":       "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "==$" + key,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := auth.ParsePHC(s); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("ParsePHC(%q) err = %v", s, err)
			}
		})
	}
	t.Run("a real hash parses back to its parameters", func(t *testing.T) {
		h, err := auth.ParsePHC(good)
		if err != nil || h.Params != lightParams || len(h.Salt) != 16 || len(h.Key) != 32 {
			t.Fatalf("parsed %+v, %v", h, err)
		}
	})
}

func TestNeedsRehash(t *testing.T) {
	light := MustHash(t, lightParams, "pw")
	if !auth.NeedsRehash(light, auth.DefaultParams) {
		t.Error("light hash should need rehash under default params")
	}
	if auth.NeedsRehash(light, lightParams) {
		t.Error("hash made with the wanted params should not need rehash")
	}
	stronger := lightParams
	stronger.Iterations = 2
	if !auth.NeedsRehash(light, stronger) {
		t.Error("more iterations wanted: should need rehash")
	}
	if !auth.NeedsRehash("not a hash", lightParams) {
		t.Error("unreadable hash should need rehash")
	}
}

func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Add("$$$$$$")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := auth.ParsePHC(s)
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("err code %q", parley.ErrorCode(err))
			}
			return
		}
		if h.Params.Memory > 1<<20 || h.Params.Iterations > 64 || h.Params.Threads == 0 {
			t.Fatalf("accepted out-of-range params %+v", h.Params)
		}
	})
}
