package fake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
)

func get(t *testing.T, f *fake.Server, path, token, fields string) answer {
	t.Helper()
	resp, err := http.Get(f.URL + "/v25.0" + path + "?fields=" + url.QueryEscape(fields) + "&access_token=" + url.QueryEscape(token))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return answer{resp.StatusCode, m}
}

func TestPostAndMediaFields(t *testing.T) {
	f := faketest.MustStart(t, fake.Config{AppSecret: "s"})
	f.AddPage(page, "tok")
	f.AddInstagram("178", "tok")
	f.SetPost(page, page+"_1", "Spring", "https://www.facebook.com/"+page+"_1")
	f.SetPost("178", "1790", "Linen", "https://www.instagram.com/p/X/")

	if a := get(t, f, "/"+page+"_1", "tok", "message,permalink_url"); a.status != 200 || a.body["message"] != "Spring" ||
		a.body["permalink_url"] != "https://www.facebook.com/"+page+"_1" || a.body["id"] != page+"_1" {
		t.Errorf("post: %+v", a)
	}
	if a := get(t, f, "/1790", "tok", "caption,permalink"); a.status != 200 || a.body["caption"] != "Linen" || a.body["permalink"] != "https://www.instagram.com/p/X/" {
		t.Errorf("media: %+v", a)
	}
	if a := get(t, f, "/1790", "tok", "message"); a.status != 400 || a.code() != 100 {
		t.Errorf("a Page post field on media: %+v", a)
	}
	if a := get(t, f, "/"+page+"_1", "other", "message"); a.status != 401 || a.code() != 190 {
		t.Errorf("wrong token: %+v", a)
	}
	if a := get(t, f, "/"+page+"_2", "tok", "message"); a.status != 400 || a.code() != 100 {
		t.Errorf("unknown post: %+v", a)
	}
}
