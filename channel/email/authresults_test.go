package email_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/channel/email"
)

func TestParseAuthResults(t *testing.T) {
	t.Run("RFC 8601 example with comments, versions and properties", func(t *testing.T) {
		ar, err := email.ParseAuthResults(`MX.Example.org 1 (mail host);
			dkim/1=pass (good signature) header.d="example.com" header.b=Xy12+/a=;
			spf = pass (sender ok) smtp.mailfrom=bounce@example.com ; dmarc=fail reason="p=reject" header.from=example.com`)
		if err != nil {
			t.Fatal(err)
		}
		if ar.AuthServID != "mx.example.org" || len(ar.Results) != 3 {
			t.Fatalf("parsed %+v", ar)
		}
		want := []struct{ method, result, key, value string }{
			{"dkim", "pass", "header.d", "example.com"},
			{"spf", "pass", "smtp.mailfrom", "bounce@example.com"},
			{"dmarc", "fail", "header.from", "example.com"},
		}
		for i, w := range want {
			r := ar.Results[i]
			if r.Method != w.method || r.Result != w.result || r.Props[w.key] != w.value {
				t.Errorf("result %d = %+v, want %+v", i, r, w)
			}
		}
		if ar.Results[2].Props["reason"] != "p=reject" {
			t.Errorf("reason = %q", ar.Results[2].Props["reason"])
		}
	})
	t.Run("none has no results", func(t *testing.T) {
		ar, err := email.ParseAuthResults("mx.example.org; none")
		if err != nil || len(ar.Results) != 0 {
			t.Fatalf("%+v %v", ar, err)
		}
	})
	t.Run("no authserv-id is an error", func(t *testing.T) {
		for _, v := range []string{"", "  (just a comment) ", "; dkim=pass"} {
			if _, err := email.ParseAuthResults(v); err == nil {
				t.Errorf("%q parsed", v)
			}
		}
	})
}

func TestSenderAuthVerified(t *testing.T) {
	auth := email.SenderAuth{TrustedIDs: []string{"mx.parley.test"}}
	cases := []struct {
		name    string
		headers []string
		from    string
		want    bool
	}{
		{"trusted dmarc pass", []string{"mx.parley.test; dmarc=pass header.from=bigcorp.example"}, "ceo@BigCorp.example", true},
		{"trusted dmarc pass for another domain", []string{"mx.parley.test; dmarc=pass header.from=evil.example"}, "ceo@bigcorp.example", false},
		{"trusted dkim pass aligned", []string{"mx.parley.test; dkim=pass header.d=bigcorp.example"}, "ceo@bigcorp.example", true},
		{"trusted dkim pass by header.i", []string{"mx.parley.test; dkim=pass header.i=@bigcorp.example"}, "ceo@bigcorp.example", true},
		{"trusted dkim pass unaligned", []string{"mx.parley.test; dkim=pass header.d=evil.example"}, "ceo@bigcorp.example", false},
		{"trusted spf pass aligned", []string{"mx.parley.test; spf=pass smtp.mailfrom=ceo@bigcorp.example"}, "ceo@bigcorp.example", true},
		{"trusted spf pass unaligned", []string{"mx.parley.test; spf=pass smtp.mailfrom=x@evil.example"}, "ceo@bigcorp.example", false},
		{"trusted fail", []string{"mx.parley.test; dmarc=fail header.from=bigcorp.example; spf=softfail"}, "ceo@bigcorp.example", false},
		{"untrusted pass is ignored", []string{"mx.evil.example; dmarc=pass header.from=bigcorp.example"}, "ceo@bigcorp.example", false},
		{"forged trusted id below the real one does not count", []string{
			"mx.parley.test; dmarc=fail header.from=bigcorp.example",
			"mx.parley.test; dmarc=pass header.from=bigcorp.example"}, "ceo@bigcorp.example", false},
		{"untrusted above trusted is skipped", []string{
			"relay.internal; none",
			"mx.parley.test; dmarc=pass header.from=bigcorp.example"}, "ceo@bigcorp.example", true},
		{"no header", nil, "ceo@bigcorp.example", false},
		{"no from domain", []string{"mx.parley.test; dmarc=pass"}, "ceo", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := auth.Verified(c.headers, c.from); got != c.want {
				t.Fatalf("Verified = %v, want %v", got, c.want)
			}
		})
	}
	if (email.SenderAuth{}).Verified([]string{"mx.parley.test; dmarc=pass"}, "a@b.example") {
		t.Error("no trusted server, still verified")
	}
}

func TestParseUnauthenticatedMarksSender(t *testing.T) {
	mail := func(ar string) []byte {
		h := "From: CEO <ceo@bigcorp.example>\r\nTo: support@parley.example\r\nSubject: hi\r\nMessage-ID: <m1@bigcorp.example>\r\n"
		if ar != "" {
			h = "Authentication-Results: " + ar + "\r\n" + h
		}
		return []byte(h + "\r\nhello\r\n")
	}
	a := MustAdapter(t, nil)
	for _, c := range []struct {
		name, ar string
		trusted  []string
		want     bool
	}{
		{"no header", "", []string{"mx.parley.test"}, false},
		{"forged by an untrusted server", "mx.evil.example; dmarc=pass header.from=bigcorp.example", []string{"mx.parley.test"}, false},
		{"trusted pass", "mx.parley.test; dmarc=pass header.from=bigcorp.example", []string{"mx.parley.test"}, true},
		{"trusted pass, nothing trusted", "mx.parley.test; dmarc=pass header.from=bigcorp.example", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs, err := a.ParseUnauthenticated(mail(c.ar), c.trusted)
			if err != nil || len(evs) != 1 {
				t.Fatalf("%v %v", evs, err)
			}
			if evs[0].Sender.Verified != c.want {
				t.Fatalf("verified = %v, want %v", evs[0].Sender.Verified, c.want)
			}
		})
	}
	t.Run("IMAP keeps the sender verified unless the channel opts in", func(t *testing.T) {
		if ev := MustParse(t, a, mail(""))[0]; !ev.Sender.Verified {
			t.Error("IMAP mail without opt-in not verified")
		}
		opted := MustAdapter(t, map[string]string{"trusted_authserv_ids": "mx.parley.test, other.example"})
		if ev := MustParse(t, opted, mail(""))[0]; ev.Sender.Verified {
			t.Error("opted-in channel verified mail without Authentication-Results")
		}
		if ev := MustParse(t, opted, mail("MX.parley.test; dkim=pass header.d=bigcorp.example"))[0]; !ev.Sender.Verified {
			t.Error("opted-in channel refused a trusted pass")
		}
	})
}

func FuzzParseAuthResults(f *testing.F) {
	for _, s := range []string{
		"mx.example.org; dkim=pass header.d=example.com",
		`mx (c (nested) \) x); spf=pass smtp.mailfrom="a\"b@c"; dmarc=none`,
		"x; none", ";;;===", "(", `"unterminated`, "a; b=c d.e= =f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ar, err := email.ParseAuthResults(v)
		if err != nil {
			return
		}
		if ar.AuthServID == "" || ar.AuthServID != strings.ToLower(ar.AuthServID) {
			t.Fatalf("authserv-id %q", ar.AuthServID)
		}
		for _, r := range ar.Results {
			if r.Method == "" || strings.Contains(r.Method, "/") || r.Props == nil {
				t.Fatalf("result %+v", r)
			}
		}
		email.SenderAuth{TrustedIDs: []string{ar.AuthServID}}.Verified([]string{v}, "a@example.com")
	})
}
