package widget_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/widget"
)

func TestAdapter(t *testing.T) {
	ch := &parley.Channel{ID: 7, Platform: parley.PlatformWidget, Secrets: map[string]string{widget.SecretIdentity: testSecret}}

	t.Run("needs a long enough identity secret and a valid config", func(t *testing.T) {
		for name, bad := range map[string]*parley.Channel{
			"no secret":    {ID: 7, Platform: parley.PlatformWidget},
			"short secret": {ID: 7, Platform: parley.PlatformWidget, Secrets: map[string]string{widget.SecretIdentity: "short"}},
			"bad colour":   {ID: 7, Platform: parley.PlatformWidget, Secrets: ch.Secrets, Config: map[string]string{widget.ConfigColor: "red"}},
			"bad hours":    {ID: 7, Platform: parley.PlatformWidget, Secrets: ch.Secrets, Config: map[string]string{widget.ConfigBusinessHours: "always"}},
			"bad origin":   {ID: 7, Platform: parley.PlatformWidget, Secrets: ch.Secrets, Config: map[string]string{widget.ConfigOrigins: "example.com"}},
			"bad prechat":  {ID: 7, Platform: parley.PlatformWidget, Secrets: ch.Secrets, Config: map[string]string{widget.ConfigPrechat: "name,ssn"}},
		} {
			if _, err := widget.New(bad); parley.ErrorCode(err) != parley.EINVALID {
				t.Errorf("%s: err %v, want invalid", name, err)
			}
		}
	})

	a, err := widget.New(ch)
	if err != nil {
		t.Fatal(err)
	}
	msg := &parley.Message{ID: 42, Body: "hi"}

	t.Run("send records the reply as sent under a stable external id", func(t *testing.T) {
		to := &parley.Identity{Kind: parley.IdentityWidget, ScopeChannelID: 7, Value: "v:abc"}
		r1, err := a.Send(context.Background(), parley.OutboundMessage{Channel: ch, Message: msg, Recipient: to})
		if err != nil {
			t.Fatal(err)
		}
		r2, _ := a.Send(context.Background(), parley.OutboundMessage{Channel: ch, Message: msg, Recipient: to})
		if r1.Status != parley.MessageSent || r1.ExternalID == "" || r1 != r2 {
			t.Fatalf("results %+v %+v", r1, r2)
		}
	})

	t.Run("send to a contact without a visitor here fails permanently", func(t *testing.T) {
		for _, to := range []*parley.Identity{nil, {Kind: parley.IdentityEmail, Value: "a@b.c"}, {Kind: parley.IdentityWidget, ScopeChannelID: 8, Value: "v:x"}} {
			_, err := a.Send(context.Background(), parley.OutboundMessage{Channel: ch, Message: msg, Recipient: to})
			if se, ok := err.(*parley.SendError); !ok || se.Class != parley.SendPermanent {
				t.Errorf("recipient %+v: err %v, want permanent", to, err)
			}
		}
	})

	t.Run("webhooks are not the widget's way in", func(t *testing.T) {
		if err := a.VerifyWebhook(nil, nil); parley.ErrorCode(err) != parley.EUNSUPPORTED {
			t.Errorf("verify: %v", err)
		}
		if _, err := a.ParseWebhook([]byte("{}")); parley.ErrorCode(err) != parley.EUNSUPPORTED {
			t.Errorf("parse: %v", err)
		}
	})
}

func TestScript(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	req, _ := http.NewRequest("GET", e.Server.URL+"/widget/v1/widget.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatalf("not gzipped: %v", err)
	}
	body, _ := io.ReadAll(zr)
	raw, gz := widget.ScriptSize()
	t.Logf("widget.js: %d bytes, %d gzipped", raw, gz)
	if gz > 60<<10 {
		t.Errorf("widget.js is %d bytes gzipped, over the 60 KB budget", gz)
	}
	if len(body) != raw || !strings.Contains(string(body), "attachShadow") {
		t.Errorf("served %d bytes, want the %d-byte widget", len(body), raw)
	}
	for _, forbidden := range []string{"eval(", "new Function", "innerHTML", "insertAdjacentHTML", "document.write"} {
		if strings.Contains(string(body), forbidden) {
			t.Errorf("widget.js uses %s, which a strict CSP (or safety) forbids", forbidden)
		}
	}
	again, _ := http.NewRequest("GET", e.Server.URL+"/widget/v1/widget.js", nil)
	again.Header.Set("If-None-Match", res.Header.Get("ETag"))
	res2, err := http.DefaultClient.Do(again)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: status %d, want 304", res2.StatusCode)
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	res, err := http.Get(e.Server.URL + "/widget/demo?channel=" + itoa(e.Channel.ID))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(body)
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.Contains(page, `data-channel="`+itoa(e.Channel.ID)+`"`) {
		t.Fatalf("status %d, page lacks the widget snippet:\n%s", res.StatusCode, page)
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "script-src "+e.Server.URL) {
		t.Errorf("demo CSP %q is not strict", csp)
	}
	if !strings.Contains(page, widget.HostCSP(e.Server.URL)) {
		t.Error("demo page does not document the CSP a host needs")
	}
}

func TestDemoExplainsMisconfiguredChannels(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	bad := &parley.Channel{Platform: parley.PlatformWidget, Name: "No secret", Status: parley.ChannelActive}
	if err := e.Store.CreateChannel(context.Background(), bad); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(e.Server.URL + "/widget/demo")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "No secret (#"+itoa(bad.ID)+") cannot be used yet") || strings.Contains(string(body), "?channel="+itoa(bad.ID)) {
		t.Fatalf("demo page does not explain the misconfigured channel:\n%s", body)
	}
}
