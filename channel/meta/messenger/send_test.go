package messenger_test

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
	"github.com/parleyhq/parley/channel/meta/messenger"
)

func MustFake(tb testing.TB) *fake.Server {
	tb.Helper()
	f := faketest.MustStart(tb, fake.Config{AppSecret: "appsecret"})
	f.AddPage(pageID, "page-token")
	return f
}

func outbound(body string, lastInbound time.Duration, meta map[string]string) parley.OutboundMessage {
	at := time.Now().UTC().Add(-lastInbound)
	return parley.OutboundMessage{
		Conversation: &parley.Conversation{ID: 1, LastInboundAt: &at},
		Recipient:    &parley.Identity{Kind: parley.IdentityMessenger, Value: psid},
		Message:      &parley.Message{ID: 5, Kind: parley.KindText, Body: body, Metadata: meta},
	}
}

func sendErr(t *testing.T, err error) *parley.SendError {
	t.Helper()
	var se *parley.SendError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *parley.SendError", err)
	}
	return se
}

func lastRequest(t *testing.T, f *fake.Server) fake.Request {
	t.Helper()
	reqs := f.Requests()
	if len(reqs) == 0 {
		t.Fatal("fake received nothing")
	}
	return reqs[len(reqs)-1]
}

func TestSend(t *testing.T) {
	f := MustFake(t)
	a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
	f.SetInbound(pageID, psid, time.Now().Add(-time.Hour))

	t.Run("text inside the window is a RESPONSE", func(t *testing.T) {
		res, err := a.Send(t.Context(), outbound("Your order shipped.", time.Hour, nil))
		if err != nil {
			t.Fatal(err)
		}
		r := lastRequest(t, f)
		body := r.JSON()
		if !strings.HasPrefix(res.ExternalID, "m_fake") || res.Status != parley.MessageSent {
			t.Fatalf("result %+v", res)
		}
		if r.Path != "/"+pageID+"/messages" || r.Version != "v25.0" || r.Query.Get("access_token") != "page-token" {
			t.Fatalf("request %s %s %v", r.Version, r.Path, r.Query)
		}
		msg := body["message"].(map[string]any)
		if body["messaging_type"] != "RESPONSE" || body["recipient"].(map[string]any)["id"] != psid ||
			msg["text"] != "Your order shipped." || msg["metadata"] != "parley:5" || body["tag"] != nil {
			t.Fatalf("body %s", r.Body)
		}
	})
	t.Run("quick replies ride along", func(t *testing.T) {
		_, err := a.Send(t.Context(), outbound("Pick one", time.Hour, map[string]string{
			"quick_replies": `[{"title":"Red","payload":"RED"},{"title":"Blue"}]`}))
		if err != nil {
			t.Fatal(err)
		}
		qr := lastRequest(t, f).JSON()["message"].(map[string]any)["quick_replies"].([]any)
		if len(qr) != 2 || qr[1].(map[string]any)["payload"] != "Blue" || qr[0].(map[string]any)["content_type"] != "text" {
			t.Fatalf("quick replies %v", qr)
		}
	})
	t.Run("buttons become a button template", func(t *testing.T) {
		_, err := a.Send(t.Context(), outbound("How can we help?", time.Hour, map[string]string{
			"buttons": `[{"type":"postback","title":"Refund","payload":"REFUND"},{"type":"web_url","title":"Track","url":"https://shop.example/track"}]`}))
		if err != nil {
			t.Fatal(err)
		}
		att := lastRequest(t, f).JSON()["message"].(map[string]any)["attachment"].(map[string]any)
		p := att["payload"].(map[string]any)
		if att["type"] != "template" || p["template_type"] != "button" || p["text"] != "How can we help?" || len(p["buttons"].([]any)) != 2 {
			t.Fatalf("attachment %v", att)
		}
	})
	t.Run("an image goes by URL", func(t *testing.T) {
		m := outbound("", time.Hour, nil)
		m.Message.Attachments = []parley.Attachment{{Type: "image", URL: "https://files.example/a.png"}}
		if _, err := a.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		att := lastRequest(t, f).JSON()["message"].(map[string]any)["attachment"].(map[string]any)
		if att["type"] != "image" || att["payload"].(map[string]any)["url"] != "https://files.example/a.png" {
			t.Fatalf("attachment %v", att)
		}
	})
	t.Run("mark as read is a sender action", func(t *testing.T) {
		if err := a.MarkRead(t.Context(), &parley.Identity{Value: psid}, "m_x"); err != nil {
			t.Fatal(err)
		}
		if b := lastRequest(t, f).JSON(); b["sender_action"] != "mark_seen" || b["message"] != nil {
			t.Fatalf("body %v", b)
		}
	})
}

func TestSendRefusesWhatMessengerCannotCarry(t *testing.T) {
	f := MustFake(t)
	a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
	f.SetInbound(pageID, psid, time.Now().Add(-time.Hour))
	withAttachment := func(body string, atts ...parley.Attachment) parley.OutboundMessage {
		m := outbound(body, time.Hour, nil)
		m.Message.Attachments = atts
		return m
	}
	img := parley.Attachment{Type: "image", URL: "https://files.example/a.png"}
	thirteen := `[` + strings.Repeat(`{"title":"x"},`, 13) + `{"title":"y"}]`
	cases := map[string]struct {
		m    parley.OutboundMessage
		code string
	}{
		"text over 2000 characters": {outbound(strings.Repeat("é", 2001), time.Hour, nil), "text_too_long"},
		"14 quick replies":          {outbound("pick", time.Hour, map[string]string{"quick_replies": thirteen}), "too_many_quick_replies"},
		"a quick reply title of 21": {outbound("pick", time.Hour, map[string]string{"quick_replies": `[{"title":"` + strings.Repeat("a", 21) + `"}]`}), "quick_reply_title"},
		"four buttons":              {outbound("pick", time.Hour, map[string]string{"buttons": `[{"title":"a","payload":"a"},{"title":"b","payload":"b"},{"title":"c","payload":"c"},{"title":"d","payload":"d"}]`}), "button_count"},
		"button text over 640":      {outbound(strings.Repeat("a", 641), time.Hour, map[string]string{"buttons": `[{"title":"a","payload":"a"}]`}), "button_text_too_long"},
		"text beside an attachment": {withAttachment("look", img), "text_with_attachment"},
		"two attachments":           {withAttachment("", img, img), "too_many_attachments"},
		"a location attachment":     {withAttachment("", parley.Attachment{Type: "location", URL: "https://maps"}), "unsupported_media"},
		"an empty message":          {outbound("", time.Hour, nil), "empty_message"},
		"a template": {func() parley.OutboundMessage {
			m := outbound("x", time.Hour, nil)
			m.Message.Kind = parley.KindTemplate
			return m
		}(), "templates_unsupported"},
		"25 hours without human agent": {outbound("late", 25*time.Hour, nil), "window_closed"},
		"no recipient":                 {func() parley.OutboundMessage { m := outbound("x", time.Hour, nil); m.Recipient = nil; return m }(), "no_recipient"},
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
				t.Fatal("a refused message still reached Meta")
			}
		})
	}
}

func TestSendReplyWindow(t *testing.T) {
	f := MustFake(t)
	t.Run("HUMAN_AGENT tag between 24 h and 7 days when enabled", func(t *testing.T) {
		a := MustAdapter(t, map[string]string{"graph_base_url": f.URL, "human_agent_enabled": "true"})
		f.SetInbound(pageID, psid, time.Now().Add(-30*time.Hour))
		if _, err := a.Send(t.Context(), outbound("sorry for the wait", 30*time.Hour, nil)); err != nil {
			t.Fatal(err)
		}
		if b := lastRequest(t, f).JSON(); b["messaging_type"] != "MESSAGE_TAG" || b["tag"] != "HUMAN_AGENT" {
			t.Fatalf("body %v", b)
		}
		if c := a.Capabilities(); c.TagWindow != 7*24*time.Hour {
			t.Fatalf("tag window %v", c.TagWindow)
		}
	})
	t.Run("closed after 7 days even with the tag", func(t *testing.T) {
		a := MustAdapter(t, map[string]string{"graph_base_url": f.URL, "human_agent_enabled": "true"})
		_, err := a.Send(t.Context(), outbound("too late", 8*24*time.Hour, nil))
		if se := sendErr(t, err); se.Code != "window_closed" {
			t.Fatalf("%+v", se)
		}
	})
	t.Run("Meta's own window error is permanent with its reason", func(t *testing.T) {
		// Parley believes the window is open; Meta knows better.
		a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
		f.SetInbound(pageID, psid, time.Now().Add(-26*time.Hour))
		_, err := a.Send(t.Context(), outbound("hi", time.Hour, nil))
		se := sendErr(t, err)
		if se.Class != parley.SendPermanent || se.Code != "10/2018278" || !strings.Contains(se.Reason, "outside of allowed window") {
			t.Fatalf("%+v", se)
		}
	})
}

func TestSendErrorMapping(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fake.Server)
		token string
		class parley.SendErrorClass
		code  string
	}{
		{"blocked recipient", func(f *fake.Server) { f.Block(pageID, psid) }, "page-token", parley.SendPermanent, "551/1545041"},
		{"rate limited", func(f *fake.Server) { f.SetRateLimit(pageID, 0, time.Hour) }, "page-token", parley.SendRateLimited, "613"},
		{"app throttled", func(f *fake.Server) { f.FailNext(pageID, fake.ErrAppRateLimit) }, "page-token", parley.SendRateLimited, "4"},
		{"temporary failure", func(f *fake.Server) { f.FailNext(pageID, fake.ErrTemporary) }, "page-token", parley.SendTransient, "2"},
		{"expired token", func(f *fake.Server) { f.FailNext(pageID, fake.ErrTokenExpired) }, "page-token", parley.SendAuth, "190/463"},
		{"wrong token", func(*fake.Server) {}, "stolen", parley.SendAuth, "190"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := MustFake(t)
			f.SetInbound(pageID, psid, time.Now())
			tc.setup(f)
			a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
			a.Client.Token = tc.token
			_, err := a.Send(t.Context(), outbound("hello", time.Minute, nil))
			se := sendErr(t, err)
			if se.Class != tc.class || se.Code != tc.code {
				t.Fatalf("got %s %s (%s), want %s %s", se.Class, se.Code, se.Reason, tc.class, tc.code)
			}
		})
	}
	t.Run("unreachable Graph is transient", func(t *testing.T) {
		a := MustAdapter(t, map[string]string{"graph_base_url": "http://127.0.0.1:1"})
		_, err := a.Send(t.Context(), outbound("hello", time.Minute, nil))
		if se := sendErr(t, err); se.Class != parley.SendTransient {
			t.Fatalf("%+v", se)
		}
	})
}

// TestRoundTrip: the fake delivers a signed webhook, the adapter verifies
// and parses it, and the reply is accepted because the fake saw the
// customer write.
func TestRoundTrip(t *testing.T) {
	f := MustFake(t)
	a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
	var mu sync.Mutex
	var got []*parley.InboundEvent
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Handshake(w, r) {
			return
		}
		body, _ := io.ReadAll(r.Body)
		if err := a.VerifyWebhook(r, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		evs, err := a.ParseWebhook(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, evs...)
		mu.Unlock()
		a.RespondWebhook(w)
	}))
	defer hook.Close()
	f.SetWebhookURL(pageID, hook.URL)

	mid, err := f.MessengerText(pageID, psid, "where is my parcel?")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.MessengerDelivery(pageID, psid, "m_out"); err != nil {
		t.Fatal(err)
	}
	if err := f.MessengerRead(pageID, psid); err != nil {
		t.Fatal(err)
	}
	if err := f.MessengerEcho(pageID, psid, "m_echo", "on its way"); err != nil {
		t.Fatal(err)
	}
	url := f.AddFile([]byte("png-bytes"), "image/png")
	if _, err := f.MessengerImage(pageID, psid, url); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 5 || got[0].ExternalID != mid || got[0].Text != "where is my parcel?" || got[1].Status != parley.MessageDelivered ||
		got[2].Status != parley.MessageRead || got[3].Direction != parley.DirectionOut || got[4].Attachments[0].URL != url {
		t.Fatalf("events %+v", got)
	}
	at := got[0].Timestamp
	m := outbound("it ships today", 0, nil)
	m.Conversation.LastInboundAt = &at
	if _, err := a.Send(t.Context(), m); err != nil {
		t.Fatalf("reply refused: %v", err)
	}
	t.Run("media from the Graph host is fetched", func(t *testing.T) {
		rc, ct, err := a.FetchMedia(t.Context(), got[4].Attachments[0])
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		if string(b) != "png-bytes" || ct != "image/png" {
			t.Fatalf("%q %s", b, ct)
		}
	})
	t.Run("media elsewhere is refused", func(t *testing.T) {
		_, _, err := a.FetchMedia(t.Context(), parley.Attachment{URL: hook.URL + "/x"})
		if parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a forged webhook is refused", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Header.Set("X-Hub-Signature-256", "sha256=00")
		if err := a.VerifyWebhook(req, []byte(`{}`)); parley.ErrorCode(err) != parley.EUNAUTHORIZED {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("handshake", func(t *testing.T) {
		resp, err := http.Get(hook.URL + "?hub.mode=subscribe&hub.challenge=424242&hub.verify_token=vt")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "424242" {
			t.Fatalf("%d %q", resp.StatusCode, b)
		}
		resp, _ = http.Get(hook.URL + "?hub.mode=subscribe&hub.challenge=424242&hub.verify_token=wrong")
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("mismatch answered %d", resp.StatusCode)
		}
	})
}

var _ = messenger.New
