package widget

import (
	"strings"
	"testing"
)

const secret = "test-identity-secret-0123456789"

func TestToken(t *testing.T) {
	v := visitor{ChannelID: 3, ContactID: 9, Key: "v:0123456789abcdef0123456789abcdef", IssuedAt: 1}
	tok := signToken(secret, v)

	t.Run("round trips on its channel", func(t *testing.T) {
		got, err := parseToken(secret, 3, tok)
		if err != nil || *got != v {
			t.Fatalf("parse: %+v %v", got, err)
		}
	})
	t.Run("refused on another channel, with another secret, or altered", func(t *testing.T) {
		cases := map[string]func() error{
			"other channel": func() error { _, err := parseToken(secret, 4, tok); return err },
			"other secret":  func() error { _, err := parseToken(secret+"x", 3, tok); return err },
			"payload swap": func() error {
				other := signToken(secret, visitor{ChannelID: 3, ContactID: 10, Key: "v:x"})
				parts, mine := strings.Split(other, "."), strings.Split(tok, ".")
				_, err := parseToken(secret, 3, parts[0]+"."+parts[1]+"."+mine[2])
				return err
			},
			"user signature as token": func() error { _, err := parseToken(secret, 3, UserSignature(secret, "9")); return err },
		}
		for name, try := range cases {
			if err := try(); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
	})
	t.Run("user signatures check the exact id", func(t *testing.T) {
		sig := UserSignature(secret, "42")
		if err := checkUserSignature(secret, "42", sig); err != nil {
			t.Fatal(err)
		}
		if err := checkUserSignature(secret, "42", strings.ToUpper(sig)); err != nil {
			t.Errorf("upper-case hex refused: %v", err)
		}
		for _, id := range []string{"43", "42 ", ""} {
			if checkUserSignature(secret, id, sig) == nil {
				t.Errorf("signature of 42 accepted for %q", id)
			}
		}
	})
}

func FuzzParseToken(f *testing.F) {
	f.Add(signToken(secret, visitor{ChannelID: 1, ContactID: 2, Key: "v:k"}))
	f.Add("pw1.e30.AAAA")
	f.Add("pw1..")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		v, err := parseToken(secret, 1, tok)
		if err != nil {
			return
		}
		// Whatever parses must be exactly what the secret signed.
		if signToken(secret, *v) != tok {
			t.Fatalf("accepted unsigned token %q", tok)
		}
		if v.ChannelID != 1 || v.ContactID <= 0 || v.Key == "" {
			t.Fatalf("accepted %+v", v)
		}
	})
}

func TestClientIDs(t *testing.T) {
	for id, ok := range map[string]bool{"abcdefgh": true, "a-b_c-d-e": true, "short": false, "has space 1": false, "ünïcødé-id": false, strings.Repeat("a", 65): false} {
		if validClientID(id) != ok {
			t.Errorf("validClientID(%q) = %v", id, !ok)
		}
	}
	if got := clientIDOf(inboundExternalID(12, "abc-def-123")); got != "abc-def-123" {
		t.Errorf("client id round trip: %q", got)
	}
}
