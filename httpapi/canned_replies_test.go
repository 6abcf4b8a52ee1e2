package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

func TestCannedRepliesOverHTTP(t *testing.T) {
	te := MustTeamEnv(t)
	const base = "/api/v1/canned-replies"
	create := func(token string, body map[string]any) *parley.CannedReply {
		t.Helper()
		rec := Do(t, te.Srv, Req{Method: "POST", Path: base, Token: token, Body: body})
		if rec.Code != http.StatusCreated {
			t.Fatalf("create %v: %d %s", body, rec.Code, rec.Body)
		}
		return MustDecode[*parley.CannedReply](t, rec)
	}
	thanks := create(te.Admin, map[string]any{"shortcut": "thanks", "title": "Thank you", "body": "Thank you for writing!",
		"variants": map[string]string{"sms": "Thx!", "whatsapp": "Thank you 🙏"}})
	create(te.Admin, map[string]any{"shortcut": "refund", "title": "Refund sent", "body": "Your refund is on its way."})

	t.Run("agents list and search; the shape is the contract", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "GET", Path: base + "?q=THX", Token: te.Member})
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		type rawPage struct {
			Items []map[string]any `json:"items"`
		}
		page := MustDecode[rawPage](t, rec)
		if len(page.Items) != 0 {
			t.Errorf("q matched a variant: %v", page.Items)
		}
		page = MustDecode[rawPage](t, Do(t, te.Srv, Req{Method: "GET", Path: base + "?q=way", Token: te.Member}))
		if len(page.Items) != 1 || page.Items[0]["shortcut"] != "refund" {
			t.Fatalf("q=way: %v", page.Items)
		}
		for _, key := range []string{"id", "shortcut", "title", "body", "variants", "created_at", "updated_at"} {
			if _, ok := page.Items[0][key]; !ok {
				t.Errorf("item lacks %q: %v", key, page.Items[0])
			}
		}
		if v, ok := page.Items[0]["variants"].(map[string]any); !ok || len(v) != 0 {
			t.Errorf("variants of a reply without any: %#v, want {}", page.Items[0]["variants"])
		}
		all := MustDecode[struct{ Items []*parley.CannedReply }](t, Do(t, te.Srv, Req{Method: "GET", Path: base, Token: te.Member}))
		if len(all.Items) != 2 || all.Items[1].Variants[parley.PlatformSMS] != "Thx!" {
			t.Errorf("all: %+v", all.Items)
		}
	})
	t.Run("writes are for admins", func(t *testing.T) {
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: base, Token: te.Member, Body: map[string]any{"shortcut": "x", "title": "x", "body": "x"}}); rec.Code != http.StatusForbidden {
			t.Errorf("member create: %d", rec.Code)
		}
		if rec := Do(t, te.Srv, Req{Method: "PATCH", Path: base + "/" + itoa(thanks.ID), Token: te.Super, Body: map[string]any{"title": "x"}}); rec.Code != http.StatusForbidden {
			t.Errorf("supervisor patch: %d", rec.Code)
		}
		if rec := Do(t, te.Srv, Req{Method: "DELETE", Path: base + "/" + itoa(thanks.ID), Token: te.Member}); rec.Code != http.StatusForbidden {
			t.Errorf("member delete: %d", rec.Code)
		}
	})
	t.Run("a duplicate shortcut is 409, bad input 400", func(t *testing.T) {
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: base, Token: te.Admin, Body: map[string]any{"shortcut": "Thanks", "title": "x", "body": "x"}}); rec.Code != http.StatusConflict {
			t.Errorf("duplicate: %d %s", rec.Code, rec.Body)
		}
		for name, body := range map[string]map[string]any{
			"unknown platform": {"shortcut": "a1", "title": "t", "body": "b", "variants": map[string]string{"fax": "x"}},
			"too long":         {"shortcut": "a2", "title": "t", "body": strings.Repeat("b", parley.CannedBodyMax+1)},
			"missing title":    {"shortcut": "a3", "body": "b"},
		} {
			if rec := Do(t, te.Srv, Req{Method: "POST", Path: base, Token: te.Admin, Body: body}); rec.Code != http.StatusBadRequest {
				t.Errorf("%s: %d", name, rec.Code)
			}
		}
	})
	t.Run("patch and delete", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "PATCH", Path: base + "/" + itoa(thanks.ID), Token: te.Admin,
			Body: map[string]any{"body": "Many thanks!", "variants": map[string]string{"email": "Dear customer, many thanks."}}})
		got := MustDecode[*parley.CannedReply](t, rec)
		if rec.Code != http.StatusOK || got.Body != "Many thanks!" || got.Title != "Thank you" || len(got.Variants) != 1 {
			t.Fatalf("patch: %d %+v", rec.Code, got)
		}
		if rec := Do(t, te.Srv, Req{Method: "PATCH", Path: base + "/999999", Token: te.Admin, Body: map[string]any{"title": "x"}}); rec.Code != http.StatusNotFound {
			t.Errorf("patch unknown: %d", rec.Code)
		}
		if rec := Do(t, te.Srv, Req{Method: "DELETE", Path: base + "/" + itoa(thanks.ID), Token: te.Admin}); rec.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
		if rec := Do(t, te.Srv, Req{Method: "DELETE", Path: base + "/" + itoa(thanks.ID), Token: te.Admin}); rec.Code != http.StatusNotFound {
			t.Errorf("delete again: %d", rec.Code)
		}
	})
}
