package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
	"github.com/parleyhq/parley/channel/meta/whatsapp"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/identity"
)

const (
	tplPhone = "106540352242922"
	tplWABA  = "102290129340398"
)

// waEnv is a server with a WhatsApp channel on the fake Graph server, a
// customer who wrote in just now, an agent's and an admin's token.
type waEnv struct {
	*Env
	fake         *fake.Server
	ch           *parley.Channel
	conv         *parley.Conversation
	agent, admin string
}

func mustWAEnv(t *testing.T) *waEnv {
	t.Helper()
	f := faketest.MustStart(t, fake.Config{AppID: metaAppID, AppSecret: metaAppSecret})
	f.AddWhatsApp(tplPhone, tplWABA, "wa-token")
	e := MustEnv(t, func(c *httpapi.Config) {
		c.Adapters.(*channel.Registry).Register(parley.PlatformWhatsApp, whatsapp.New)
		c.Meta = &httpapi.MetaConnect{AppID: metaAppID, AppSecret: metaAppSecret, GraphBaseURL: f.URL, PublicURL: publicURL}
	})
	w := &waEnv{Env: e, fake: f}
	w.ch = &parley.Channel{Platform: parley.PlatformWhatsApp, Name: "WA", Status: parley.ChannelActive,
		Config:  map[string]string{"phone_number_id": tplPhone, "waba_id": tplWABA, "graph_base_url": f.URL},
		Secrets: map[string]string{"access_token": "wa-token", "app_secret": metaAppSecret, "verify_token": "vt"}}
	if err := e.Store.CreateChannel(context.Background(), w.ch); err != nil {
		t.Fatal(err)
	}
	res, err := e.Store.Ingest(context.Background(), []*parley.InboundEvent{{Kind: parley.InboundMessage, ChannelID: w.ch.ID,
		Platform: parley.PlatformWhatsApp, ExternalID: "wamid.IN1", Direction: parley.DirectionIn, Timestamp: e.Clock.Now(), Text: "hi",
		Sender: parley.Sender{Kind: parley.IdentityWhatsApp, ID: "4915100000001", Verified: true}}})
	if err != nil || res[0].Conversation == nil {
		t.Fatalf("ingest: %v", err)
	}
	w.conv = res[0].Conversation
	w.agent = e.MustToken(t, e.MustAgent(t, "agent@example.com", parley.RoleAgent))
	w.admin = e.MustToken(t, e.MustAgent(t, "admin@example.com", parley.RoleAdmin))
	return w
}

func (w *waEnv) reply(t *testing.T, kind string, body string, meta map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	return Do(t, w.Srv, Req{Method: "POST", Path: "/api/v1/conversations/" + itoa(w.conv.ID) + "/messages", Token: w.agent,
		Body: map[string]any{"kind": kind, "body": body, "metadata": meta}})
}

func (w *waEnv) template(t *testing.T, name string, params ...string) *httptest.ResponseRecorder {
	t.Helper()
	raw, _ := json.Marshal(params)
	return w.reply(t, "template", name, map[string]string{"template_name": name, "template_language": "en_US", "template_params": string(raw)})
}

// refusedFor checks a 422 with the machine reason.
func refusedFor(t *testing.T, rec *httptest.ResponseRecorder, reason string) {
	t.Helper()
	var body struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Details map[string]string `json:"details"`
		} `json:"error"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != http.StatusUnprocessableEntity || body.Error.Details["reason"] != reason || body.Error.Message == "" {
		t.Fatalf("want 422 %s, got %d %s", reason, rec.Code, rec.Body)
	}
}

func TestChannelTemplates(t *testing.T) {
	w := mustWAEnv(t)
	w.fake.AddTemplate(tplPhone, "order_update", "en_US", 2)
	w.fake.PutTemplate(tplPhone, fake.Template{Name: "promo", Language: "en_US", Status: "APPROVED", Category: "MARKETING",
		Header: "Sale", Body: "Hi {{1}}, 20% off today", Footer: "Reply STOP to opt out"})
	w.fake.PutTemplate(tplPhone, fake.Template{Name: "draft", Language: "en_US", Status: "PENDING", Category: "UTILITY", Body: "Soon"})
	path := "/api/v1/channels/" + itoa(w.ch.ID) + "/templates"

	t.Run("none before the first sync, and no refusal either", func(t *testing.T) {
		rec := Do(t, w.Srv, Req{Method: "GET", Path: path, Token: w.agent})
		if rec.Code != http.StatusOK || rec.Body.String() != "{\"items\":[]}\n" {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if rec := w.template(t, "nope"); rec.Code != http.StatusCreated {
			t.Fatalf("unsynced channel: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("only admins sync", func(t *testing.T) {
		if rec := Do(t, w.Srv, Req{Method: "POST", Path: path + "/sync", Token: w.agent}); rec.Code != http.StatusForbidden {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("sync answers the synced list in the picker's shape", func(t *testing.T) {
		rec := Do(t, w.Srv, Req{Method: "POST", Path: path + "/sync", Token: w.admin})
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		var got struct {
			Items []map[string]any `json:"items"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &got)
		if len(got.Items) != 3 {
			t.Fatalf("%d items: %s", len(got.Items), rec.Body)
		}
		promo := got.Items[2]
		want := map[string]any{"name": "promo", "language": "en_US", "category": "MARKETING", "status": "APPROVED",
			"body": "Hi {{1}}, 20% off today", "header": "Sale", "footer": "Reply STOP to opt out", "params": float64(1)}
		for k, v := range want {
			if promo[k] != v {
				t.Errorf("%s = %v, want %v", k, promo[k], v)
			}
		}
		listed := Do(t, w.Srv, Req{Method: "GET", Path: path, Token: w.agent})
		var again struct {
			Items []map[string]any `json:"items"`
		}
		_ = json.Unmarshal(listed.Body.Bytes(), &again)
		if listed.Code != http.StatusOK || len(again.Items) != 3 {
			t.Fatalf("list after sync: %d %s", listed.Code, listed.Body)
		}
	})
	t.Run("refused before queueing", func(t *testing.T) {
		before := len(w.Outbound.Published())
		refusedFor(t, w.template(t, "nope"), "template_unknown")
		refusedFor(t, w.template(t, "draft"), "template_not_approved")
		refusedFor(t, w.template(t, "order_update", "A-1"), "template_param_count")
		if n := len(w.Outbound.Published()); n != before {
			t.Fatalf("%d refused replies were queued", n-before)
		}
		if rec := w.template(t, "order_update", "A-1", "shipped"); rec.Code != http.StatusCreated {
			t.Fatalf("approved template: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("a marketing template needs marketing consent", func(t *testing.T) {
		refusedFor(t, w.template(t, "promo", "Ana"), "no_marketing_consent")
		if _, err := w.Store.SetConsent(context.Background(), identity.Consent{ContactID: w.conv.ContactID, Platform: parley.PlatformWhatsApp,
			Purpose: identity.PurposeMarketing, Granted: true, Source: "web form"}); err != nil {
			t.Fatal(err)
		}
		if rec := w.template(t, "promo", "Ana"); rec.Code != http.StatusCreated {
			t.Fatalf("with consent: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("a channel without templates cannot sync", func(t *testing.T) {
		rec := Do(t, w.Srv, Req{Method: "POST", Path: "/api/v1/channels/" + itoa(w.Channel.ID) + "/templates/sync", Token: w.admin})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestOptedOutContactGetsNothingOutsideTheWindow(t *testing.T) {
	w := mustWAEnv(t)
	w.fake.AddTemplate(tplPhone, "order_update", "en_US", 1)
	if rec := Do(t, w.Srv, Req{Method: "POST", Path: "/api/v1/channels/" + itoa(w.ch.ID) + "/templates/sync", Token: w.admin}); rec.Code != http.StatusOK {
		t.Fatalf("sync: %d %s", rec.Code, rec.Body)
	}
	if _, err := w.Store.SetConsent(context.Background(), identity.Consent{ContactID: w.conv.ContactID, Platform: parley.PlatformWhatsApp,
		Purpose: identity.PurposeNotification, Granted: false, Source: "replied STOP"}); err != nil {
		t.Fatal(err)
	}
	rec := w.reply(t, "text", "Your order shipped", nil)
	if rec.Code != http.StatusCreated {
		t.Fatalf("inside the window a reply is service: %d %s", rec.Code, rec.Body)
	}
	var sent parley.Message
	_ = json.Unmarshal(rec.Body.Bytes(), &sent)
	if _, err := w.Store.UpdateMessageStatus(context.Background(), parley.StatusUpdate{MessageID: sent.ID, Status: parley.MessageFailed, FailureCode: "131026"}); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(25 * time.Hour)
	refusedFor(t, w.reply(t, "text", "Still there?", nil), "opted_out")
	refusedFor(t, w.template(t, "order_update", "A-1"), "opted_out")
	refusedFor(t, Do(t, w.Srv, Req{Method: "POST", Path: "/api/v1/messages/" + itoa(sent.ID) + "/retry", Token: w.agent}), "opted_out")
}

func TestConnectWhatsAppSyncsTemplates(t *testing.T) {
	w := mustWAEnv(t)
	w.fake.AddTemplate(tplPhone, "order_update", "en_US", 2)
	w.fake.AddLogin("es-code", "wa-token")
	rec := Do(t, w.Srv, Req{Method: "POST", Path: "/api/v1/connect/whatsapp", Token: w.admin,
		Body: map[string]string{"code": "es-code", "waba_id": tplWABA, "phone_number_id": tplPhone}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("connect = %d %s", rec.Code, rec.Body)
	}
	list, synced, err := w.Store.FindTemplates(context.Background(), w.ch.ID)
	if err != nil || synced == nil || len(list) != 1 || list[0].Name != "order_update" || list[0].Params != 2 {
		t.Fatalf("templates after connect: %v %v %v", list, synced, err)
	}
}
