package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/meta"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/httpapi"
)

// metaHookEnv serves the real Meta adapters, with a Messenger channel on
// each of two Pages and a WhatsApp channel.
func metaHookEnv(t testing.TB) (*Env, map[string]*parley.Channel) {
	t.Helper()
	reg := channel.NewRegistry()
	meta.Register(reg)
	e := MustEnv(t, func(c *httpapi.Config) {
		c.Adapters = reg
		c.Meta = &httpapi.MetaConnect{AppID: metaAppID, AppSecret: metaAppSecret, WebhookVerifyToken: "app-verify", PublicURL: publicURL}
	})
	chans := map[string]*parley.Channel{}
	for name, ch := range map[string]*parley.Channel{
		"page A":   {Platform: parley.PlatformMessenger, Config: map[string]string{"page_id": "111"}},
		"page B":   {Platform: parley.PlatformMessenger, Config: map[string]string{"page_id": "222"}},
		"whatsapp": {Platform: parley.PlatformWhatsApp, Config: map[string]string{"phone_number_id": "333", "waba_id": "444"}},
	} {
		ch.Name, ch.Status = name, parley.ChannelActive
		ch.Secrets = map[string]string{"app_secret": metaAppSecret, "access_token": "t"}
		if err := e.Store.CreateChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
		chans[name] = ch
	}
	return e, chans
}

func postMetaHook(t *testing.T, e *Env, body, secret string) int {
	t.Helper()
	return Do(t, e.Srv, Req{Method: "POST", Path: "/hooks/meta", Body: body,
		Header: http.Header{"X-Hub-Signature-256": {graph.Sign(secret, []byte(body))}}}).Code
}

func messengerEntry(page, mid string) string {
	return fmt.Sprintf(`{"id":"%s","time":1763712000000,"messaging":[{"sender":{"id":"990%s"},"recipient":{"id":"%s"},"timestamp":1763712000000,"message":{"mid":"%s","text":"hi"}}]}`, page, page, page, mid)
}

func TestMetaAppWebhook(t *testing.T) {
	t.Run("each Page's entries go to that Page's channel", func(t *testing.T) {
		e, chans := metaHookEnv(t)
		body := `{"object":"page","entry":[` + messengerEntry("111", "m_a") + `,` + messengerEntry("222", "m_b") + `]}`
		if code := postMetaHook(t, e, body, metaAppSecret); code != http.StatusOK {
			t.Fatalf("= %d", code)
		}
		got := map[string]int64{}
		for _, batch := range e.Inbound.Batches {
			for _, ev := range batch {
				got[ev.ExternalID] = ev.ChannelID
			}
		}
		if len(got) != 2 || got["m_a"] != chans["page A"].ID || got["m_b"] != chans["page B"].ID {
			t.Errorf("events by channel %v", got)
		}
	})
	t.Run("WhatsApp entries go by phone number id", func(t *testing.T) {
		e, chans := metaHookEnv(t)
		body := `{"object":"whatsapp_business_account","entry":[{"id":"444","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"333"},"contacts":[{"profile":{"name":"R"},"wa_id":"351912345678"}],"messages":[{"from":"351912345678","id":"wamid.X","timestamp":"1763712000","type":"text","text":{"body":"olá"}}]}}]}]}`
		if code := postMetaHook(t, e, body, metaAppSecret); code != http.StatusOK {
			t.Fatalf("= %d", code)
		}
		if e.Inbound.Count() != 1 || e.Inbound.Batches[0][0].ChannelID != chans["whatsapp"].ID {
			t.Errorf("batches %v", e.Inbound.Batches)
		}
	})
	t.Run("a wrong signature stores nothing", func(t *testing.T) {
		e, _ := metaHookEnv(t)
		body := `{"object":"page","entry":[` + messengerEntry("111", "m_a") + `]}`
		if code := postMetaHook(t, e, body, "not-the-app-secret"); code != http.StatusUnauthorized {
			t.Errorf("= %d", code)
		}
		if e.Inbound.Count() != 0 {
			t.Error("stored a forged webhook")
		}
	})
	t.Run("an unknown Page is acknowledged and ignored", func(t *testing.T) {
		e, _ := metaHookEnv(t)
		if code := postMetaHook(t, e, `{"object":"page","entry":[`+messengerEntry("999", "m_x")+`]}`, metaAppSecret); code != http.StatusOK || e.Inbound.Count() != 0 {
			t.Errorf("= %d, %d batches", code, e.Inbound.Count())
		}
	})
	t.Run("the queue being down is 503, so Meta retries", func(t *testing.T) {
		e, _ := metaHookEnv(t)
		e.Inbound.Fail = errors.New("stream down")
		if code := postMetaHook(t, e, `{"object":"page","entry":[`+messengerEntry("111", "m_a")+`]}`, metaAppSecret); code != http.StatusServiceUnavailable {
			t.Errorf("= %d", code)
		}
	})
	t.Run("the app's verification handshake", func(t *testing.T) {
		e, _ := metaHookEnv(t)
		rec := Do(t, e.Srv, Req{Method: "GET", Path: "/hooks/meta?hub.mode=subscribe&hub.verify_token=app-verify&hub.challenge=42"})
		if rec.Code != http.StatusOK || rec.Body.String() != "42" {
			t.Errorf("= %d %q", rec.Code, rec.Body)
		}
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/hooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42"}); rec.Code != http.StatusForbidden {
			t.Errorf("wrong token = %d", rec.Code)
		}
	})
}

// FuzzMetaAppWebhook: any signed body gets 200 or 400, never a 500 or a
// panic, and only 200 may enqueue anything.
func FuzzMetaAppWebhook(f *testing.F) {
	e, _ := metaHookEnv(f)
	f.Add(`{"object":"page","entry":[` + messengerEntry("111", "m_a") + `]}`)
	f.Add(`{"object":"whatsapp_business_account","entry":[{"id":"444","changes":[{"value":{"metadata":{"phone_number_id":333}}}]}]}`)
	f.Add(`{"object":"instagram","entry":[{"id":[]}]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		before := e.Inbound.Count()
		code := postMetaHook(t, e, body, metaAppSecret)
		if code != http.StatusOK && code != http.StatusBadRequest {
			t.Fatalf("%q = %d", body, code)
		}
		if code != http.StatusOK && e.Inbound.Count() != before {
			t.Fatalf("%q = %d but enqueued", body, code)
		}
	})
}
