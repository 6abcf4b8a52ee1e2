package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley"
)

// BenchmarkTokenRequest is GET /api/v1/me with an API token through the
// whole handler and the real store: SHA-256 and two indexed lookups, no
// password hash. Compare BenchmarkPasswordLogin.
func BenchmarkTokenRequest(b *testing.B) {
	e := MustEnv(b)
	token := e.MustToken(b, e.MustAgent(b, "bench@example.com", parley.RoleAgent))
	for b.Loop() {
		if rec := Do(b, e.Srv, Req{Method: "GET", Path: "/api/v1/me", Token: token}); rec.Code != http.StatusOK {
			b.Fatalf("%d", rec.Code)
		}
	}
}

// BenchmarkPasswordLogin is POST /api/v1/auth/login: one argon2id
// verification (64 MiB) plus a session write.
func BenchmarkPasswordLogin(b *testing.B) {
	e := MustEnv(b)
	e.MustAgent(b, "bench@example.com", parley.RoleAgent)
	for i := 0; b.Loop(); i++ {
		// A fresh address per attempt keeps the sign-in rate limit out of the measurement.
		rec := Do(b, &remoteAddr{e.Srv, "10.0." + itoa(int64(i/250%250)) + "." + itoa(int64(i%250)) + ":1"},
			Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "bench@example.com", "password": testPassword}})
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}
