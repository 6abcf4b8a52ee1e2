package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// FuzzFlexTime: any timestamp Meta might send either fails to decode or
// yields a time the inbound stream can encode.
func FuzzFlexTime(f *testing.F) {
	for _, s := range []string{`1700000000`, `"1700000000"`, `1700000000123`, `"2023-11-14T22:13:20+0000"`, `null`, `""`, `-1`, `1e300`, `"9999-12-31T23:59:59-01:00"`, `700000000000`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ft graph.FlexTime
		if ft.UnmarshalJSON(b) != nil {
			return
		}
		if _, err := json.Marshal(ft.Time); err != nil {
			t.Fatalf("%q decoded to an unencodable time: %v", b, err)
		}
	})
}

// FuzzParseError: any error body yields a classified send error.
func FuzzParseError(f *testing.F) {
	f.Add(500, []byte(`{"error":{"message":"x","code":2}}`))
	f.Add(400, []byte(`{"error":{"code":"4"}}`))
	f.Add(401, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		se := graph.Classify(graph.ParseError(status, nil, body))
		switch se.Class {
		case parley.SendTransient, parley.SendRateLimited, parley.SendPermanent, parley.SendAuth:
		default:
			t.Fatalf("class %q", se.Class)
		}
	})
}

// FuzzVerifySignature: only the true MAC of the body passes (hex in
// either case, surrounding spaces ignored).
func FuzzVerifySignature(f *testing.F) {
	f.Add("sha256=00", []byte(`{}`))
	f.Add(graph.Sign("appsecret", []byte(`{}`)), []byte(`{}`))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := graph.VerifySignature("appsecret", header, body)
		want := graph.Sign("appsecret", body)
		same := strings.HasPrefix(strings.TrimSpace(header), "sha256=") && strings.EqualFold(strings.TrimSpace(header), want)
		if (err == nil) != same {
			t.Fatalf("header %q on %q: err = %v", header, body, err)
		}
	})
}
