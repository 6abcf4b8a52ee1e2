package fake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
	"github.com/parleyhq/parley/channel/meta/graph"
)

const (
	page  = "100"
	psid  = "200"
	phone = "300"
	waba  = "400"
	waID  = "15550001111"
)

type answer struct {
	status int
	body   map[string]any
}

func (a answer) code() int {
	e, _ := a.body["error"].(map[string]any)
	if e == nil {
		return -1
	}
	return int(e["code"].(float64))
}

func (a answer) subcode() int {
	e, _ := a.body["error"].(map[string]any)
	if n, ok := e["error_subcode"].(float64); ok {
		return int(n)
	}
	return 0
}

func call(t *testing.T, f *fake.Server, path, query, bearer string, body any) answer {
	t.Helper()
	b, _ := json.Marshal(body)
	u := f.URL + "/v25.0" + path
	if query != "" {
		u += "?access_token=" + url.QueryEscape(query)
	}
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return answer{resp.StatusCode, m}
}

func text(to, messagingType, tag, body string) map[string]any {
	m := map[string]any{"recipient": map[string]any{"id": to}, "messaging_type": messagingType, "message": map[string]any{"text": body}}
	if tag != "" {
		m["tag"] = tag
	}
	return m
}

// clock is a settable time for window tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMessengerSendAPI(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	f := faketest.MustStart(t, fake.Config{AppSecret: "s", Now: clk.now})
	f.AddPage(page, "tok")

	t.Run("token is required and must match", func(t *testing.T) {
		if a := call(t, f, "/"+page+"/messages", "", "", text(psid, "RESPONSE", "", "hi")); a.status != 400 || a.code() != 2500 {
			t.Fatalf("no token: %+v", a)
		}
		if a := call(t, f, "/"+page+"/messages", "nope", "", text(psid, "RESPONSE", "", "hi")); a.status != http.StatusUnauthorized || a.code() != 190 {
			t.Fatalf("wrong token: %+v", a)
		}
	})
	t.Run("a recipient who never wrote is unknown", func(t *testing.T) {
		if a := call(t, f, "/"+page+"/messages", "tok", "", text(psid, "RESPONSE", "", "hi")); a.code() != 100 || a.subcode() != 2018001 {
			t.Fatalf("%+v", a)
		}
	})
	f.SetInbound(page, psid, clk.now())
	t.Run("a valid send answers recipient_id and message_id", func(t *testing.T) {
		a := call(t, f, "/"+page+"/messages", "tok", "", text(psid, "RESPONSE", "", "hi"))
		if a.status != 200 || a.body["recipient_id"] != psid || !strings.HasPrefix(a.body["message_id"].(string), "m_") {
			t.Fatalf("%+v", a)
		}
		if a := call(t, f, "/me/messages", "tok", "", text(psid, "RESPONSE", "", "hi")); a.status != 200 {
			t.Fatalf("/me: %+v", a)
		}
	})
	for name, body := range map[string]map[string]any{
		"no recipient":        {"messaging_type": "RESPONSE", "message": map[string]any{"text": "x"}},
		"no message":          {"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE"},
		"no messaging_type":   text(psid, "", "", "x"),
		"an unknown tag":      text(psid, "MESSAGE_TAG", "PROMO", "x"),
		"text over 2000":      text(psid, "RESPONSE", "", strings.Repeat("a", 2001)),
		"14 quick replies":    {"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE", "message": map[string]any{"text": "x", "quick_replies": make([]map[string]any, 14)}},
		"attachment sans url": {"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE", "message": map[string]any{"attachment": map[string]any{"type": "image", "payload": map[string]any{}}}},
		"four buttons":        {"recipient": map[string]any{"id": psid}, "messaging_type": "RESPONSE", "message": map[string]any{"attachment": map[string]any{"type": "template", "payload": map[string]any{"template_type": "button", "text": "t", "buttons": []any{1, 2, 3, 4}}}}},
	} {
		t.Run("refuses "+name, func(t *testing.T) {
			if a := call(t, f, "/"+page+"/messages", "tok", "", body); a.status != 400 || a.code() != 100 {
				t.Fatalf("%+v", a)
			}
		})
	}
	t.Run("window: 24 h, then HUMAN_AGENT to 7 days, then closed", func(t *testing.T) {
		clk.add(25 * time.Hour)
		if a := call(t, f, "/"+page+"/messages", "tok", "", text(psid, "RESPONSE", "", "late")); a.code() != 10 || a.subcode() != 2018278 {
			t.Fatalf("after 25 h: %+v", a)
		}
		if a := call(t, f, "/"+page+"/messages", "tok", "", text(psid, "MESSAGE_TAG", "HUMAN_AGENT", "late")); a.status != 200 {
			t.Fatalf("human agent after 25 h: %+v", a)
		}
		clk.add(6 * 24 * time.Hour)
		if a := call(t, f, "/"+page+"/messages", "tok", "", text(psid, "MESSAGE_TAG", "HUMAN_AGENT", "too late")); a.code() != 10 {
			t.Fatalf("human agent after 7 days: %+v", a)
		}
	})
	t.Run("rate limit answers 613", func(t *testing.T) {
		f.SetInbound(page, psid, clk.now())
		f.SetRateLimit(page, 1, time.Minute)
		call(t, f, "/"+page+"/messages", "tok", "", text(psid, "RESPONSE", "", "1"))
		if a := call(t, f, "/"+page+"/messages", "tok", "", text(psid, "RESPONSE", "", "2")); a.code() != 613 {
			t.Fatalf("%+v", a)
		}
		clk.add(time.Minute)
		if a := call(t, f, "/"+page+"/messages", "tok", "", text(psid, "RESPONSE", "", "3")); a.status != 200 {
			t.Fatalf("after the window: %+v", a)
		}
	})
	t.Run("requests are recorded with the answer", func(t *testing.T) {
		reqs := f.Requests()
		r := reqs[len(reqs)-1]
		if r.Version != "v25.0" || r.Path != "/"+page+"/messages" || r.Status != 200 || r.JSON()["message"].(map[string]any)["text"] != "3" {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("unknown paths answer Graph errors", func(t *testing.T) {
		if a := call(t, f, "/"+page+"/feed", "tok", "", nil); a.code() != 100 {
			t.Fatalf("%+v", a)
		}
		resp, _ := http.Get(f.URL + "/no-version")
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("unversioned path: %d", resp.StatusCode)
		}
	})
	t.Run("subscribed_apps", func(t *testing.T) {
		if a := call(t, f, "/"+page+"/subscribed_apps", "tok", "", nil); a.code() != 100 {
			t.Fatalf("without fields: %+v", a)
		}
		resp, err := http.Post(f.URL+"/v25.0/"+page+"/subscribed_apps?subscribed_fields=messages&access_token=tok", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("with fields: %d", resp.StatusCode)
		}
	})
}

func waText(to, body string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text", "text": map[string]any{"body": body}}
}

func waTemplate(name, lang string, params ...string) map[string]any {
	var ps []any
	for _, p := range params {
		ps = append(ps, map[string]any{"type": "text", "text": p})
	}
	return map[string]any{"messaging_product": "whatsapp", "to": waID, "type": "template", "template": map[string]any{
		"name": name, "language": map[string]any{"code": lang}, "components": []any{map[string]any{"type": "body", "parameters": ps}}}}
}

func TestWhatsAppCloudAPI(t *testing.T) {
	f := faketest.MustStart(t, fake.Config{AppSecret: "s"})
	f.AddWhatsApp(phone, waba, "wtok")
	f.AddTemplate(phone, "hello", "en_US", 1)
	for status := range map[string]bool{"PENDING": true, "REJECTED": true, "PAUSED": true, "DISABLED": true} {
		f.PutTemplate(phone, fake.Template{Name: strings.ToLower(status), Language: "en_US", Status: status, Category: "UTILITY", Body: "Hi {{1}}"})
	}
	path := "/" + phone + "/messages"

	t.Run("Bearer token required", func(t *testing.T) {
		if a := call(t, f, path, "wtok", "", waText(waID, "hi")); a.status != http.StatusUnauthorized || a.code() != 190 {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("outside the window only templates", func(t *testing.T) {
		if a := call(t, f, path, "", "wtok", waText(waID, "hi")); a.code() != 131047 {
			t.Fatalf("%+v", a)
		}
		a := call(t, f, path, "", "wtok", waTemplate("hello", "en_US", "Ana"))
		msgs := a.body["messages"].([]any)
		if a.status != 200 || msgs[0].(map[string]any)["message_status"] != "accepted" {
			t.Fatalf("%+v", a)
		}
	})
	f.SetInbound(phone, waID, time.Now())
	t.Run("inside the window text is accepted", func(t *testing.T) {
		a := call(t, f, path, "", "wtok", waText(waID, "hi"))
		contacts := a.body["contacts"].([]any)
		if a.status != 200 || contacts[0].(map[string]any)["wa_id"] != waID || a.body["messaging_product"] != "whatsapp" {
			t.Fatalf("%+v", a)
		}
	})
	for name, tc := range map[string]struct {
		body map[string]any
		code int
	}{
		"no messaging_product":  {map[string]any{"to": waID, "type": "text", "text": map[string]any{"body": "x"}}, 100},
		"no to":                 {waText("", "x"), 131008},
		"text over 4096":        {waText(waID, strings.Repeat("a", 4097)), 131009},
		"unknown template":      {waTemplate("nope", "en_US", "x"), 132001},
		"wrong language":        {waTemplate("hello", "pt_BR", "x"), 132001},
		"parameter count":       {waTemplate("hello", "en_US"), 132000},
		"a pending template":    {waTemplate("pending", "en_US", "x"), 132001},
		"a rejected template":   {waTemplate("rejected", "en_US", "x"), 132001},
		"a paused template":     {waTemplate("paused", "en_US", "x"), 132015},
		"a disabled template":   {waTemplate("disabled", "en_US", "x"), 132016},
		"an unknown type":       {map[string]any{"messaging_product": "whatsapp", "to": waID, "type": "hologram"}, 131009},
		"image without id/link": {map[string]any{"messaging_product": "whatsapp", "to": waID, "type": "image", "image": map[string]any{}}, 131008},
	} {
		t.Run("refuses "+name, func(t *testing.T) {
			if a := call(t, f, path, "", "wtok", tc.body); a.status/100 != 4 || a.code() != tc.code {
				t.Fatalf("%+v", a)
			}
		})
	}
	t.Run("errors carry error_data details", func(t *testing.T) {
		a := call(t, f, path, "", "wtok", waText("", "x"))
		if d := a.body["error"].(map[string]any)["error_data"].(map[string]any); d["messaging_product"] != "whatsapp" || d["details"] == "" {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("blocked numbers are undeliverable", func(t *testing.T) {
		f.Block(phone, "15550002222")
		f.SetInbound(phone, "15550002222", time.Now())
		if a := call(t, f, path, "", "wtok", waText("15550002222", "x")); a.code() != 131026 {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("mark as read", func(t *testing.T) {
		a := call(t, f, path, "", "wtok", map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"})
		if a.status != 200 || a.body["success"] != true {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("media lookup needs the number's token", func(t *testing.T) {
		id := f.AddMedia(phone, []byte("data"), "image/png")
		req, _ := http.NewRequest(http.MethodGet, f.URL+"/v25.0/"+id, nil)
		req.Header.Set("Authorization", "Bearer other")
		resp, _ := http.DefaultClient.Do(req)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong token: %d", resp.StatusCode)
		}
		resp, _ = http.Get(f.URL + "/media/" + id)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("download without token: %d", resp.StatusCode)
		}
	})
}

type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	bad    int
}

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if graph.VerifySignature(secret, req.Header.Get("X-Hub-Signature-256"), b) != nil {
			r.bad++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		r.bodies = append(r.bodies, b)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) last(t *testing.T) map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		t.Fatal("no webhook received")
	}
	var m map[string]any
	_ = json.Unmarshal(r.bodies[len(r.bodies)-1], &m)
	return m
}

func TestSignedWebhooks(t *testing.T) {
	rcv := newReceiver(t, "app-secret")
	f := faketest.MustStart(t, fake.Config{AppSecret: "app-secret", WebhookURL: rcv.URL, AsyncWhatsAppFailures: true})
	f.AddPage(page, "tok")
	f.AddWhatsApp(phone, waba, "wtok")

	if _, err := f.MessengerText(page, psid, "hi"); err != nil {
		t.Fatal(err)
	}
	if m := rcv.last(t); m["object"] != "page" {
		t.Fatalf("%v", m)
	}
	// The fake now knows psid wrote: a reply is inside the window.
	if a := call(t, f, "/"+page+"/messages", "tok", "", text(psid, "RESPONSE", "", "hello")); a.status != 200 {
		t.Fatalf("reply after inbound: %+v", a)
	}
	if _, err := f.Comment(page, page+"_1", "", "900", "Ana", "nice"); err != nil {
		t.Fatal(err)
	}
	change := rcv.last(t)["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)
	if change["field"] != "feed" || change["value"].(map[string]any)["verb"] != "add" {
		t.Fatalf("%v", change)
	}
	t.Run("asynchronous re-engagement failure arrives as a failed status", func(t *testing.T) {
		a := call(t, f, "/"+phone+"/messages", "", "wtok", waText(waID, "hi"))
		if a.status != 200 {
			t.Fatalf("accepted first: %+v", a)
		}
		f.Flush()
		v := rcv.last(t)["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)["value"].(map[string]any)
		st := v["statuses"].([]any)[0].(map[string]any)
		if st["status"] != "failed" || st["errors"].([]any)[0].(map[string]any)["code"].(float64) != 131047 {
			t.Fatalf("%v", st)
		}
	})
	if err := f.WhatsAppStatus(phone, "wamid.1", waID, "read", nil); err != nil {
		t.Fatal(err)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.bad != 0 || len(rcv.bodies) != 4 {
		t.Fatalf("%d bodies, %d badly signed", len(rcv.bodies), rcv.bad)
	}
}

func TestWebhookFailureIsReported(t *testing.T) {
	rcv := newReceiver(t, "other-secret")
	f := faketest.MustStart(t, fake.Config{AppSecret: "app-secret", WebhookURL: rcv.URL})
	f.AddPage(page, "tok")
	if _, err := f.MessengerText(page, psid, "hi"); err == nil {
		t.Fatal("a refused webhook was not reported")
	}
}

func TestWhatsAppTemplateList(t *testing.T) {
	f := faketest.MustStart(t, fake.Config{AppSecret: "s"})
	f.AddWhatsApp(phone, waba, "wtok")
	for i := range 5 {
		f.AddTemplate(phone, "t"+strconv.Itoa(i), "en_US", i)
	}
	get := func(t *testing.T, token, query string) answer {
		t.Helper()
		req, _ := http.NewRequest("GET", f.URL+"/v25.0/"+waba+"/message_templates?"+query, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		a := answer{status: resp.StatusCode}
		_ = json.NewDecoder(resp.Body).Decode(&a.body)
		return a
	}
	t.Run("needs the WABA's token", func(t *testing.T) {
		if a := get(t, "other", "limit=2"); a.status != http.StatusUnauthorized || a.code() != 190 {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("pages with cursors and only the asked fields", func(t *testing.T) {
		var names []string
		query := "limit=2&fields=name,components"
		for range 5 {
			a := get(t, "wtok", query)
			if a.status != 200 {
				t.Fatalf("%+v", a)
			}
			for _, d := range a.body["data"].([]any) {
				m := d.(map[string]any)
				if m["id"] == nil || m["components"] == nil || m["status"] != nil {
					t.Fatalf("template %v", m)
				}
				names = append(names, m["name"].(string))
			}
			paging := a.body["paging"].(map[string]any)
			if paging["next"] == nil {
				break
			}
			query = "limit=2&fields=name,components&after=" + paging["cursors"].(map[string]any)["after"].(string)
		}
		if strings.Join(names, ",") != "t0,t1,t2,t3,t4" {
			t.Fatalf("names %v", names)
		}
	})
	t.Run("a bad cursor is refused", func(t *testing.T) {
		if a := get(t, "wtok", "after=bm90LWEtY3Vyc29y"); a.status != 400 || a.code() != 100 {
			t.Fatalf("%+v", a)
		}
	})
}
