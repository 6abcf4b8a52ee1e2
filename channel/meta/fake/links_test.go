package fake_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
)

func image(to, link string) map[string]any {
	return map[string]any{"recipient": map[string]any{"id": to}, "messaging_type": "RESPONSE",
		"message": map[string]any{"attachment": map[string]any{"type": "image", "payload": map[string]any{"url": link}}}}
}

func waImage(to, link string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "to": to, "type": "image", "image": map[string]any{"link": link}}
}

// TestMediaLinks: media sent by link must be an absolute http(s) URL, and
// with FetchMediaLinks the fake downloads it like Meta and fails the send
// when it cannot.
func TestMediaLinks(t *testing.T) {
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok.png" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("png bytes"))
	}))
	defer files.Close()
	f := faketest.MustStart(t, fake.Config{AppSecret: "s", FetchMediaLinks: true})
	f.AddPage(page, "tok")
	f.SetInbound(page, psid, time.Now())
	f.AddWhatsApp(phone, waba, "wtok")
	f.SetInbound(phone, waID, time.Now())
	messenger := func(link string) answer { return call(t, f, "/"+page+"/messages", "tok", "", image(psid, link)) }
	whatsApp := func(link string) answer { return call(t, f, "/"+phone+"/messages", "", "wtok", waImage(waID, link)) }

	if a := messenger("/api/v1/files/abc"); a.status != 400 || a.code() != 100 {
		t.Errorf("Messenger took a relative link: %+v", a)
	}
	if a := whatsApp("files/abc"); a.status != 400 || a.code() != 131009 {
		t.Errorf("WhatsApp took a relative link: %+v", a)
	}
	if a := messenger(files.URL + "/missing.png"); a.code() != 100 || a.subcode() != 2018008 {
		t.Errorf("Messenger sent a link it could not fetch: %+v", a)
	}
	if a := whatsApp(files.URL + "/missing.png"); a.code() != 131053 {
		t.Errorf("WhatsApp sent a link it could not fetch: %+v", a)
	}
	if a := messenger(files.URL + "/ok.png"); a.status != 200 {
		t.Errorf("Messenger refused a good link: %+v", a)
	}
	if a := whatsApp(files.URL + "/ok.png"); a.status != 200 {
		t.Errorf("WhatsApp refused a good link: %+v", a)
	}
	got := f.FetchedMedia()
	if len(got) != 2 || string(got[0].Data) != "png bytes" || got[1].ContentType != "image/png" {
		t.Fatalf("fetched %+v", got)
	}
}
