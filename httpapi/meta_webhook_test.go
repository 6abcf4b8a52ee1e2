package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/meta"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/store"
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

// countingStore counts full channel listings.
type countingStore struct {
	*store.Store
	mu    sync.Mutex
	lists int
}

func (c *countingStore) FindChannels(ctx context.Context) ([]*parley.Channel, error) {
	c.mu.Lock()
	c.lists++
	c.mu.Unlock()
	return c.Store.FindChannels(ctx)
}

func (c *countingStore) listed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lists
}

func TestMetaAppWebhookUsesTheChannelCache(t *testing.T) {
	reg := channel.NewRegistry()
	meta.Register(reg)
	var counting *countingStore
	e := MustEnv(t, func(c *httpapi.Config) {
		counting = &countingStore{Store: c.Store.(*store.Store)}
		c.Store, c.Adapters = counting, reg
		c.Meta = &httpapi.MetaConnect{AppID: metaAppID, AppSecret: metaAppSecret, PublicURL: publicURL}
	})
	admin := e.MustToken(t, e.MustAgent(t, "admin@example.com", parley.RoleAdmin))
	var page parley.Channel
	create := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/channels", Token: admin, Body: map[string]any{"platform": "messenger", "name": "Page A",
		"config": map[string]string{"page_id": "111"}, "secrets": map[string]string{"app_secret": metaAppSecret, "access_token": "t"}}})
	if create.Code != http.StatusCreated || json.Unmarshal(create.Body.Bytes(), &page) != nil {
		t.Fatalf("create = %d %s", create.Code, create.Body)
	}
	hook := func(mid string) {
		t.Helper()
		if code := postMetaHook(t, e, `{"object":"page","entry":[`+messengerEntry("111", mid)+`]}`, metaAppSecret); code != http.StatusOK {
			t.Fatalf("webhook = %d", code)
		}
	}
	for i := range 5 {
		hook(fmt.Sprintf("m_%d", i))
	}
	if n := counting.listed(); n != 1 || e.Inbound.Count() != 5 {
		t.Fatalf("5 webhooks listed the channels %d times and enqueued %d batches; want 1 and 5", n, e.Inbound.Count())
	}
	t.Run("a channel changed on this node takes effect at once", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/channels/" + itoa(page.ID), Token: admin, Body: map[string]any{"status": "disabled"}})
		if rec.Code != http.StatusOK {
			t.Fatalf("patch = %d %s", rec.Code, rec.Body)
		}
		before := e.Inbound.Count()
		hook("m_disabled")
		if e.Inbound.Count() != before || counting.listed() != 2 {
			t.Fatalf("a disabled channel took the webhook (batches %d → %d, listings %d)", before, e.Inbound.Count(), counting.listed())
		}
	})
	t.Run("changes made elsewhere are seen after the TTL", func(t *testing.T) {
		active := parley.ChannelActive
		if _, err := counting.Store.UpdateChannel(context.Background(), page.ID, parley.ChannelUpdate{Status: &active}); err != nil {
			t.Fatal(err)
		}
		before := e.Inbound.Count()
		hook("m_elsewhere_1")
		if e.Inbound.Count() != before {
			t.Fatal("the cached index was not used within the TTL")
		}
		e.Clock.Advance(3 * time.Second)
		hook("m_elsewhere_2")
		if e.Inbound.Count() != before+1 || counting.listed() != 3 {
			t.Fatalf("after the TTL: batches %d → %d, listings %d", before, e.Inbound.Count(), counting.listed())
		}
	})
}

func TestMetaAppWebhookTakesTheInstagramAppSignature(t *testing.T) {
	reg := channel.NewRegistry()
	meta.Register(reg)
	e := MustEnv(t, func(c *httpapi.Config) {
		c.Adapters = reg
		c.Meta = &httpapi.MetaConnect{AppID: metaAppID, AppSecret: metaAppSecret, InstagramAppID: "ig-app", InstagramAppSecret: "ig-secret", PublicURL: publicURL}
	})
	ch := &parley.Channel{Platform: parley.PlatformInstagram, Name: "IG", Status: parley.ChannelActive,
		Config:  map[string]string{"ig_account_id": "178", "instagram_login": "true"},
		Secrets: map[string]string{"app_secret": "ig-secret", "access_token": "t"}}
	if err := e.Store.CreateChannel(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	body := `{"object":"instagram","entry":[{"id":"178","time":1763712000000,"messaging":[{"sender":{"id":"55"},"recipient":{"id":"178"},"timestamp":1763712000000,"message":{"mid":"ig_m1","text":"hi"}}]}]}`
	if code := postMetaHook(t, e, body, "ig-secret"); code != http.StatusOK || e.Inbound.Count() != 1 {
		t.Fatalf("signed by the Instagram app: %d, %d batches", code, e.Inbound.Count())
	}
	if code := postMetaHook(t, e, body, "someone-else"); code != http.StatusUnauthorized {
		t.Fatalf("signed by another secret: %d", code)
	}
}
