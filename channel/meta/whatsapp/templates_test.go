package whatsapp_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/whatsapp"
)

func TestTemplatesFollowsPaging(t *testing.T) {
	f := MustFake(t, fake.Config{})
	f.PutTemplate(phoneID, fake.Template{Name: "promo", Language: "pt_BR", Status: "PENDING", Category: "MARKETING",
		Header: "Oferta", Body: "Olá {{1}}, {{2}} e de novo {{1}}", Footer: "Responda PARAR"})
	for i := range 230 {
		f.AddTemplate(phoneID, fmt.Sprintf("bulk_%03d", i), "en_US", i%3)
	}
	a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
	list, err := a.Templates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 232 {
		t.Fatalf("%d templates, want 232 (order_update, promo and 230 bulk)", len(list))
	}
	byName := map[string]*parley.Template{}
	for _, tp := range list {
		byName[tp.Name] = tp
	}
	promo := byName["promo"]
	if promo == nil || promo.Language != "pt_BR" || promo.Status != parley.TemplatePending || promo.Category != parley.TemplateMarketing ||
		promo.Header != "Oferta" || promo.Footer != "Responda PARAR" || promo.Params != 2 || promo.Body != "Olá {{1}}, {{2}} e de novo {{1}}" {
		t.Fatalf("promo = %+v", promo)
	}
	if ou := byName["order_update"]; ou == nil || ou.Params != 2 || ou.Status != parley.TemplateApproved || ou.Category != parley.TemplateUtility {
		t.Fatalf("order_update = %+v", ou)
	}
	pages := 0
	for _, r := range f.Requests() {
		if r.Path != "/"+wabaID+"/message_templates" {
			continue
		}
		pages++
		if r.Header.Get("Authorization") != "Bearer wa-token" || r.Query.Get("fields") != whatsapp.TemplateFields {
			t.Fatalf("request %v %v", r.Header, r.Query)
		}
		if (pages == 1) == (r.Query.Get("after") != "") {
			t.Fatalf("page %d after=%q", pages, r.Query.Get("after"))
		}
	}
	if pages != 3 {
		t.Fatalf("%d pages fetched, want 3 of 100", pages)
	}
}

func TestTemplatesErrors(t *testing.T) {
	f := MustFake(t, fake.Config{})
	t.Run("no WABA id", func(t *testing.T) {
		a := MustAdapter(t, map[string]string{"graph_base_url": f.URL, "waba_id": ""})
		if _, err := a.Templates(t.Context()); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("revoked token", func(t *testing.T) {
		a := MustAdapter(t, map[string]string{"graph_base_url": f.URL})
		f.SetToken(phoneID, "new-token")
		if _, err := a.Templates(t.Context()); parley.ErrorCode(err) != parley.EUNAUTHORIZED {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCountParams(t *testing.T) {
	for text, want := range map[string]int{"": 0, "Hi": 0, "Hi {{1}}": 1, "{{1}} {{2}} {{1}}": 2, "{{ 1 }} and {{name}}": 2, "{{}}": 0} {
		if got := whatsapp.CountParams(text); got != want {
			t.Errorf("CountParams(%q) = %d, want %d", text, got, want)
		}
	}
}
