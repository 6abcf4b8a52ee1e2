package whatsapp_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
)

func MustFake(tb testing.TB, cfg fake.Config) *fake.Server {
	tb.Helper()
	cfg.AppSecret = "appsecret"
	f := faketest.MustStart(tb, cfg)
	f.AddWhatsApp(phoneID, wabaID, "wa-token")
	f.AddTemplate(phoneID, "order_update", "en_US", 2)
	return f
}

func outbound(body string, lastInbound time.Duration, meta map[string]string) parley.OutboundMessage {
	at := time.Now().UTC().Add(-lastInbound)
	return parley.OutboundMessage{
		Conversation: &parley.Conversation{ID: 1, LastInboundAt: &at},
		Recipient:    &parley.Identity{Kind: parley.IdentityWhatsApp, Value: waID},
		Message:      &parley.Message{ID: 11, Kind: parley.KindText, Body: body, Metadata: meta},
	}
}

func template(lastInbound time.Duration, name string, params string) parley.OutboundMessage {
	m := outbound("", lastInbound, map[string]string{"template_name": name, "template_params": params})
	m.Message.Kind = parley.KindTemplate
	return m
}

func sendErr(t *testing.T, err error) *parley.SendError {
	t.Helper()
	var se *parley.SendError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *parley.SendError", err)
	}
	return se
}

func lastBody(t *testing.T, f *fake.Server) map[string]any {
	t.Helper()
	reqs := f.Requests()
	if len(reqs) == 0 {
		t.Fatal("fake received nothing")
	}
	return reqs[len(reqs)-1].JSON()
}

func TestSend(t *testing.T) {
	f := MustFake(t, fake.Config{})
	a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
	f.SetInbound(phoneID, waID, time.Now().Add(-time.Hour))

	t.Run("text", func(t *testing.T) {
		m := outbound("Your refund is on its way", time.Hour, nil)
		m.Message.ReplyToID = "wamid.IN1"
		res, err := a.Send(t.Context(), m)
		if err != nil {
			t.Fatal(err)
		}
		r := f.Requests()[len(f.Requests())-1]
		b := r.JSON()
		if !strings.HasPrefix(res.ExternalID, "wamid.FAKE") || r.Path != "/"+phoneID+"/messages" || r.Header.Get("Authorization") != "Bearer wa-token" || r.Query.Get("access_token") != "" {
			t.Fatalf("%+v %s %v", res, r.Path, r.Header)
		}
		if b["messaging_product"] != "whatsapp" || b["recipient_type"] != "individual" || b["to"] != waID || b["type"] != "text" ||
			b["text"].(map[string]any)["body"] != "Your refund is on its way" || b["text"].(map[string]any)["preview_url"] != false ||
			b["context"].(map[string]any)["message_id"] != "wamid.IN1" || b["biz_opaque_callback_data"] != "parley:11" {
			t.Fatalf("body %v", b)
		}
	})
	t.Run("a phone identity works as recipient", func(t *testing.T) {
		m := outbound("hi", time.Hour, nil)
		m.Recipient = &parley.Identity{Kind: parley.IdentityPhone, Value: "+" + waID}
		if _, err := a.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		if b := lastBody(t, f); b["to"] != waID {
			t.Fatalf("to = %v", b["to"])
		}
	})
	t.Run("image with caption by link, document by media id", func(t *testing.T) {
		m := outbound("the label", time.Hour, nil)
		m.Message.Attachments = []parley.Attachment{{Type: "image", URL: "https://files.example/label.png"}}
		if _, err := a.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		img := lastBody(t, f)["image"].(map[string]any)
		if img["link"] != "https://files.example/label.png" || img["caption"] != "the label" {
			t.Fatalf("image %v", img)
		}
		m = outbound("", time.Hour, nil)
		m.Message.Attachments = []parley.Attachment{{Type: "file", PlatformID: "555", Filename: "invoice.pdf"}}
		if _, err := a.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		b := lastBody(t, f)
		doc := b["document"].(map[string]any)
		if b["type"] != "document" || doc["id"] != "555" || doc["filename"] != "invoice.pdf" || doc["link"] != nil {
			t.Fatalf("document %v", b)
		}
	})
	t.Run("reply buttons", func(t *testing.T) {
		_, err := a.Send(t.Context(), outbound("Was this helpful?", time.Hour, map[string]string{"buttons": `[{"id":"yes","title":"Yes"},{"id":"no","title":"No"}]`}))
		if err != nil {
			t.Fatal(err)
		}
		it := lastBody(t, f)["interactive"].(map[string]any)
		btns := it["action"].(map[string]any)["buttons"].([]any)
		if it["type"] != "button" || len(btns) != 2 || btns[0].(map[string]any)["reply"].(map[string]any)["id"] != "yes" {
			t.Fatalf("interactive %v", it)
		}
	})
	t.Run("list", func(t *testing.T) {
		list := `{"button":"Choose","sections":[{"title":"Stores","rows":[{"id":"lx","title":"Lisbon","description":"Rua Augusta"},{"id":"po","title":"Porto"}]}]}`
		if _, err := a.Send(t.Context(), outbound("Pick a store", time.Hour, map[string]string{"list": list})); err != nil {
			t.Fatal(err)
		}
		it := lastBody(t, f)["interactive"].(map[string]any)
		if it["type"] != "list" || it["action"].(map[string]any)["button"] != "Choose" {
			t.Fatalf("interactive %v", it)
		}
	})
	t.Run("template outside the window", func(t *testing.T) {
		res, err := a.Send(t.Context(), template(72*time.Hour, "order_update", `["Ana","#42"]`))
		if err != nil {
			t.Fatal(err)
		}
		b := lastBody(t, f)
		tpl := b["template"].(map[string]any)
		params := tpl["components"].([]any)[0].(map[string]any)["parameters"].([]any)
		if res.ExternalID == "" || b["type"] != "template" || tpl["name"] != "order_update" || tpl["language"].(map[string]any)["code"] != "en_US" ||
			len(params) != 2 || params[1].(map[string]any)["text"] != "#42" {
			t.Fatalf("template %v", b)
		}
	})
	t.Run("mark as read", func(t *testing.T) {
		if err := a.MarkRead(t.Context(), nil, "wamid.IN1"); err != nil {
			t.Fatal(err)
		}
		if b := lastBody(t, f); b["status"] != "read" || b["message_id"] != "wamid.IN1" || b["to"] != nil {
			t.Fatalf("body %v", b)
		}
	})
}

func TestSendRefusals(t *testing.T) {
	f := MustFake(t, fake.Config{})
	a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
	f.SetInbound(phoneID, waID, time.Now())
	withAtt := func(body string, atts ...parley.Attachment) parley.OutboundMessage {
		m := outbound(body, time.Hour, nil)
		m.Message.Attachments = atts
		return m
	}
	cases := map[string]struct {
		m    parley.OutboundMessage
		code string
	}{
		"free text after 24 h": {outbound("hello again", 25*time.Hour, nil), "window_closed"},
		"free text, never wrote": {func() parley.OutboundMessage {
			m := outbound("hi", 0, nil)
			m.Conversation.LastInboundAt = nil
			return m
		}(), "window_closed"},
		"text over 4096":           {outbound(strings.Repeat("a", 4097), time.Hour, nil), "text_too_long"},
		"four buttons":             {outbound("q", time.Hour, map[string]string{"buttons": `[{"title":"a"},{"title":"b"},{"title":"c"},{"title":"d"}]`}), "button_count"},
		"button title over 20":     {outbound("q", time.Hour, map[string]string{"buttons": `[{"title":"` + strings.Repeat("b", 21) + `"}]`}), "button_title"},
		"eleven list rows":         {outbound("q", time.Hour, map[string]string{"list": `{"button":"go","sections":[{"rows":[` + strings.TrimSuffix(strings.Repeat(`{"id":"i","title":"t"},`, 11), ",") + `]}]}`}), "list_rows"},
		"caption on audio":         {withAtt("listen", parley.Attachment{Type: "audio", URL: "https://x/a.ogg"}), "text_with_attachment"},
		"two attachments":          {withAtt("", parley.Attachment{Type: "image", URL: "https://x/1"}, parley.Attachment{Type: "image", URL: "https://x/2"}), "too_many_attachments"},
		"template without a name":  {template(time.Hour, "", ""), "template_name"},
		"template params not JSON": {template(time.Hour, "order_update", "Ana"), "template_params"},
		"no recipient":             {func() parley.OutboundMessage { m := outbound("x", 0, nil); m.Recipient = nil; return m }(), "no_recipient"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := len(f.Requests())
			_, err := a.Send(t.Context(), tc.m)
			se := sendErr(t, err)
			if se.Class != parley.SendPermanent || se.Code != tc.code || se.Reason == "" {
				t.Fatalf("got %s %s %q, want permanent %s", se.Class, se.Code, se.Reason, tc.code)
			}
			if len(f.Requests()) != before {
				t.Fatal("a refused message reached Meta")
			}
		})
	}
}

func TestSendErrorsFromMeta(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fake.Server)
		m     parley.OutboundMessage
		class parley.SendErrorClass
		code  string
	}{
		{"window closed at Meta (131047)", func(f *fake.Server) { f.SetInbound(phoneID, waID, time.Now().Add(-30*time.Hour)) }, outbound("hi", time.Hour, nil), parley.SendPermanent, "131047"},
		{"undeliverable (131026)", func(f *fake.Server) { f.Block(phoneID, waID) }, outbound("hi", time.Hour, nil), parley.SendPermanent, "131026"},
		{"unknown template (132001)", nil, template(time.Hour, "nope", `[]`), parley.SendPermanent, "132001"},
		{"wrong parameter count (132000)", nil, template(time.Hour, "order_update", `["only one"]`), parley.SendPermanent, "132000"},
		{"throughput (130429)", func(f *fake.Server) { f.SetRateLimit(phoneID, 0, time.Minute) }, outbound("hi", time.Hour, nil), parley.SendRateLimited, "130429"},
		{"pair limit (131056)", func(f *fake.Server) { f.FailNext(phoneID, fake.ErrWAPairLimit) }, outbound("hi", time.Hour, nil), parley.SendRateLimited, "131056"},
		{"expired token (190)", func(f *fake.Server) { f.FailNext(phoneID, fake.ErrTokenExpired) }, outbound("hi", time.Hour, nil), parley.SendAuth, "190/463"},
		{"temporary (2)", func(f *fake.Server) { f.FailNext(phoneID, fake.ErrTemporary) }, outbound("hi", time.Hour, nil), parley.SendTransient, "2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := MustFake(t, fake.Config{})
			f.SetInbound(phoneID, waID, time.Now())
			if tc.setup != nil {
				tc.setup(f)
			}
			a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
			_, err := a.Send(t.Context(), tc.m)
			se := sendErr(t, err)
			if se.Class != tc.class || se.Code != tc.code || se.Reason == "" {
				t.Fatalf("got %s %s %q, want %s %s", se.Class, se.Code, se.Reason, tc.class, tc.code)
			}
		})
	}
}

// TestAsynchronousFailure: Meta accepts the send, then reports 131047 in a
// failed status webhook; the adapter turns it into a failed receipt.
func TestAsynchronousFailure(t *testing.T) {
	f := MustFake(t, fake.Config{AsyncWhatsAppFailures: true})
	a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
	var mu sync.Mutex
	var got []*parley.InboundEvent
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := a.VerifyWebhook(r, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		evs, err := a.ParseWebhook(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		mu.Lock()
		got = append(got, evs...)
		mu.Unlock()
	}))
	defer hook.Close()
	f.SetWebhookURL(phoneID, hook.URL)
	f.SetInbound(phoneID, waID, time.Now().Add(-48*time.Hour))

	res, err := a.Send(t.Context(), outbound("are you there?", time.Hour, nil)) // Parley's clock thinks it is open
	if err != nil {
		t.Fatalf("accepted at first: %v", err)
	}
	f.Flush()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("events %+v", got)
	}
	e := got[0]
	if e.Kind != parley.InboundReceipt || e.Status != parley.MessageFailed || e.Targets[0] != res.ExternalID || e.FailureCode != "131047" ||
		!strings.Contains(e.FailureReason, "24 hours") {
		t.Fatalf("%+v", e)
	}
}

func TestRoundTripAndMedia(t *testing.T) {
	f := MustFake(t, fake.Config{})
	a := MustAdapter(t, map[string]string{"graph_base_url": f.URL, "media_max_bytes": "1024"})
	var mu sync.Mutex
	var got []*parley.InboundEvent
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Handshake(w, r) {
			return
		}
		body, _ := io.ReadAll(r.Body)
		if a.VerifyWebhook(r, body) != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		evs, _ := a.ParseWebhook(body)
		mu.Lock()
		got = append(got, evs...)
		mu.Unlock()
	}))
	defer hook.Close()
	f.SetWebhookURL(phoneID, hook.URL)

	wamid, err := f.WhatsAppText(phoneID, waID, "Kerry", "hello")
	if err != nil {
		t.Fatal(err)
	}
	_, mediaID, err := f.WhatsAppImage(phoneID, waID, "Kerry", []byte("jpeg-bytes"), "image/jpeg", "look")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WhatsAppStatus(phoneID, "wamid.OUT", waID, "delivered", nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	evs := append([]*parley.InboundEvent(nil), got...)
	mu.Unlock()
	if len(evs) != 3 || evs[0].ExternalID != wamid || evs[0].Sender.Name != "Kerry" || evs[1].Attachments[0].PlatformID != mediaID || evs[2].Status != parley.MessageDelivered {
		t.Fatalf("events %+v", evs)
	}
	// The fake saw the customer write: a free-form reply is accepted.
	at := evs[0].Timestamp
	m := outbound("hi Kerry", 0, nil)
	m.Conversation.LastInboundAt = &at
	if _, err := a.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}

	t.Run("media id → URL → bytes with the token", func(t *testing.T) {
		rc, ct, err := a.FetchMedia(t.Context(), evs[1].Attachments[0])
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		if string(b) != "jpeg-bytes" || ct != "image/jpeg" {
			t.Fatalf("%q %s", b, ct)
		}
		reqs := f.Requests()
		if r := reqs[len(reqs)-1]; r.Path != "/"+mediaID || r.Header.Get("Authorization") != "Bearer wa-token" {
			t.Fatalf("media lookup %s %v", r.Path, r.Header)
		}
	})
	t.Run("media over the size limit is refused", func(t *testing.T) {
		big := f.AddMedia(phoneID, make([]byte, 2048), "video/mp4")
		if _, _, err := a.FetchMedia(t.Context(), parley.Attachment{PlatformID: big}); parley.ErrorCode(err) != parley.ETOOLARGE {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unknown media is not found", func(t *testing.T) {
		if _, _, err := a.FetchMedia(t.Context(), parley.Attachment{PlatformID: "404"}); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("media URLs off Meta's hosts are refused", func(t *testing.T) {
		if _, _, err := a.FetchMedia(t.Context(), parley.Attachment{URL: hook.URL + "/steal"}); parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})
}
