package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// mustCustomer ingests a message from a customer of the API channel with
// a verified e-mail and phone, and returns the ticket.
func (te *teamEnv) mustCustomer(tb testing.TB, id, email, phone string) *parley.Conversation {
	tb.Helper()
	ev := &parley.InboundEvent{Kind: parley.InboundMessage, ChannelID: te.Channel.ID, Platform: te.Channel.Platform,
		ExternalID: "m-" + id, Direction: parley.DirectionIn, Timestamp: time.Now().UTC(), Text: "hello, " + id,
		Sender: parley.Sender{Kind: parley.IdentityExternal, ID: id, Name: "Customer " + id, Verified: true, Extra: []parley.Identity{
			{Kind: parley.IdentityEmail, Value: email, Verified: true}, {Kind: parley.IdentityPhone, Value: phone, Verified: true}}}}
	res, err := te.Store.Ingest(context.Background(), []*parley.InboundEvent{ev})
	if err != nil || res[0].Conversation == nil {
		tb.Fatalf("ingest: %v %+v", err, res)
	}
	return res[0].Conversation
}

func TestContactDetailsAreMaskedByRole(t *testing.T) {
	te := MustTeamEnv(t)
	conv := te.mustCustomer(t, "cust-1", "Ana.Silva@Example.com", "+49 151 12345678")
	te.MustPatch(t, conv, map[string]any{"team_id": te.Team.ID})
	contactPath := "/api/v1/contacts/" + itoa(conv.ContactID)
	getContact := func(token string) *parley.Contact {
		rec := Do(t, te.Srv, Req{Method: "GET", Path: contactPath, Token: token})
		if rec.Code != http.StatusOK {
			t.Fatalf("get contact: %d %s", rec.Code, rec.Body)
		}
		return MustDecode[*parley.Contact](t, rec)
	}
	t.Run("admins and supervisors see details in full", func(t *testing.T) {
		for _, token := range []string{te.Admin, te.Super} {
			c := getContact(token)
			if c.Email != "ana.silva@example.com" || c.Phone != "+4915112345678" {
				t.Fatalf("contact: %+v", c)
			}
		}
	})
	t.Run("agents get masked details from every endpoint", func(t *testing.T) {
		bodies := map[string]string{}
		for _, path := range []string{contactPath, "/api/v1/contacts", "/api/v1/conversations/" + itoa(conv.ID),
			"/api/v1/conversations", contactPath + "/360", contactPath + "/conversations", "/api/v1/search?q=ana", "/api/v1/search?q=4915112345678"} {
			rec := Do(t, te.Srv, Req{Method: "GET", Path: path, Token: te.Member})
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
			bodies[path] = rec.Body.String()
		}
		for path, body := range bodies {
			if strings.Contains(body, "ana.silva@") || strings.Contains(body, "15112345678") {
				t.Errorf("%s leaks contact details: %s", path, body)
			}
		}
		if !strings.Contains(bodies[contactPath], `"a***@example.com"`) || !strings.Contains(bodies[contactPath], `"+49*********78"`) {
			t.Errorf("masked contact: %s", bodies[contactPath])
		}
		if !strings.Contains(bodies["/api/v1/search?q=ana"], "a***@example.com") {
			t.Errorf("search finds no masked contact: %s", bodies["/api/v1/search?q=ana"])
		}
		if !strings.Contains(bodies["/api/v1/conversations"], "a***@example.com") {
			t.Errorf("the member's ticket list shows no contact: %s", bodies["/api/v1/conversations"])
		}
	})
	t.Run("the 360 view shows an agent only the tickets they may see", func(t *testing.T) {
		other := &parley.Channel{Platform: parley.PlatformAPI, Name: "Shop", Status: parley.ChannelActive, Secrets: map[string]string{"secret": "x"}}
		if err := te.Store.CreateChannel(context.Background(), other); err != nil {
			t.Fatal(err)
		}
		ev := &parley.InboundEvent{Kind: parley.InboundMessage, ChannelID: other.ID, Platform: other.Platform, ExternalID: "shop-1",
			Direction: parley.DirectionIn, Timestamp: time.Now().UTC(), Text: "private billing question",
			Sender: parley.Sender{Kind: parley.IdentityExternal, ID: "shop-ana", Verified: true,
				Extra: []parley.Identity{{Kind: parley.IdentityEmail, Value: "ana.silva@example.com", Verified: true}}}}
		res, err := te.Store.Ingest(context.Background(), []*parley.InboundEvent{ev})
		if err != nil || res[0].Contact.ID != conv.ContactID {
			t.Fatalf("second channel: %v %+v", err, res)
		}
		otherTeam := &parley.Team{Name: "Finance"}
		if err := te.Store.CreateTeam(context.Background(), otherTeam); err != nil {
			t.Fatal(err)
		}
		te.MustPatch(t, res[0].Conversation, map[string]any{"team_id": otherTeam.ID})
		member := Do(t, te.Srv, Req{Method: "GET", Path: contactPath + "/360", Token: te.Member})
		admin := MustDecode[identity.View360](t, Do(t, te.Srv, Req{Method: "GET", Path: contactPath + "/360", Token: te.Admin}))
		if strings.Contains(member.Body.String(), "private billing question") || len(MustDecode[identity.View360](t, member).Conversations) != 1 {
			t.Fatalf("member sees another team's ticket: %s", member.Body)
		}
		if len(admin.Conversations) != 2 || len(admin.Links) != 1 {
			t.Fatalf("admin 360: %d tickets, links %+v", len(admin.Conversations), admin.Links)
		}
	})
	t.Run("only admins change the policy, and it applies at once", func(t *testing.T) {
		body := identity.FieldPolicy{UnmaskedRoles: []parley.Role{parley.RoleAgent, parley.RoleSupervisor}}
		if rec := Do(t, te.Srv, Req{Method: "PUT", Path: "/api/v1/settings/field-policy", Token: te.Member, Body: body}); rec.Code != http.StatusForbidden {
			t.Fatalf("member changed the policy: %d", rec.Code)
		}
		if rec := Do(t, te.Srv, Req{Method: "PUT", Path: "/api/v1/settings/field-policy", Token: te.Admin, Body: map[string]any{"unmasked_roles": []string{"god"}}}); rec.Code != http.StatusBadRequest {
			t.Fatalf("unknown role accepted: %d", rec.Code)
		}
		if rec := Do(t, te.Srv, Req{Method: "PUT", Path: "/api/v1/settings/field-policy", Token: te.Admin, Body: body}); rec.Code != http.StatusOK {
			t.Fatalf("policy: %d %s", rec.Code, rec.Body)
		}
		if c := getContact(te.Member); c.Email != "ana.silva@example.com" {
			t.Fatalf("agent still masked: %+v", c)
		}
	})
}

func TestMergeAndUndoOverHTTP(t *testing.T) {
	te := MustTeamEnv(t)
	a := te.mustCustomer(t, "cust-a", "ana@example.com", "+4915100000001")
	b := te.mustCustomer(t, "cust-b", "ana.work@example.com", "+4915100000002")
	path := "/api/v1/contacts/" + itoa(a.ContactID) + "/merge"
	if rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Admin, Body: map[string]any{}}); rec.Code != http.StatusBadRequest {
		t.Fatalf("merge without source: %d", rec.Code)
	}
	rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Admin, Body: map[string]any{"source_id": b.ContactID}})
	if rec.Code != http.StatusOK {
		t.Fatalf("merge: %d %s", rec.Code, rec.Body)
	}
	res := MustDecode[identity.MergeResult](t, rec)
	if res.Survivor.ID != a.ContactID || res.Conversations != 1 || len(res.Survivor.Identities) != 6 || res.Rule == "" {
		t.Fatalf("merge result: %+v", res)
	}
	if got := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/" + itoa(b.ContactID), Token: te.Admin}); got.Code != http.StatusNotFound {
		t.Fatalf("merged contact still served: %d", got.Code)
	}
	undo := "/api/v1/contacts/merges/" + itoa(res.MergeID) + "/undo"
	if rec := Do(t, te.Srv, Req{Method: "POST", Path: undo, Token: te.Admin}); rec.Code != http.StatusOK {
		t.Fatalf("undo: %d %s", rec.Code, rec.Body)
	}
	if got := MustDecode[*parley.Contact](t, Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/" + itoa(b.ContactID), Token: te.Admin})); len(got.Identities) != 3 {
		t.Fatalf("restored contact: %+v", got)
	}
	if rec := Do(t, te.Srv, Req{Method: "POST", Path: undo, Token: te.Admin}); rec.Code != http.StatusConflict {
		t.Fatalf("second undo: %d", rec.Code)
	}
}

// lookupServer is the company's own system: it answers for one e-mail
// when the key is right, counts calls, and can be told to fail or stall.
type lookupServer struct {
	*httptest.Server
	calls atomic.Int64
	mode  atomic.Value // "ok", "fail", "slow"
}

func newLookupServer(t *testing.T) *lookupServer {
	ls := &lookupServer{}
	ls.mode.Store("ok")
	ls.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.calls.Add(1)
		switch {
		case r.Header.Get("X-Api-Key") != "k-123":
			http.Error(w, "no key", http.StatusUnauthorized)
		case ls.mode.Load() == "fail":
			http.Error(w, "crm down", http.StatusInternalServerError)
		case ls.mode.Load() == "slow":
			time.Sleep(time.Second)
		case r.URL.Query().Get("email") == "ana@example.com":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"plan":"gold","orders":7}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ls.Close)
	return ls
}

func TestContact360WithTheCompanysData(t *testing.T) {
	te := MustTeamEnv(t)
	conv := te.mustCustomer(t, "cust-a", "ana@example.com", "+4915100000001")
	ls := newLookupServer(t)
	view := func() identity.View360 {
		rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/" + itoa(conv.ContactID) + "/360", Token: te.Admin})
		if rec.Code != http.StatusOK {
			t.Fatalf("360: %d %s", rec.Code, rec.Body)
		}
		return MustDecode[identity.View360](t, rec)
	}
	setLookup := func(body map[string]any) {
		if rec := Do(t, te.Srv, Req{Method: "PUT", Path: "/api/v1/settings/contact-lookup", Token: te.Admin, Body: body}); rec.Code != http.StatusOK {
			t.Fatalf("lookup settings: %d %s", rec.Code, rec.Body)
		}
	}
	t.Run("without a lookup the view says so", func(t *testing.T) {
		v := view()
		if v.External == nil || v.External.Status != identity.LookupDisabled || len(v.Conversations) != 1 || len(v.Timeline) != 1 ||
			v.CSAT.Available || v.CSAT.Note == "" || v.CSAT.Items == nil || len(v.Contact.Identities) != 3 {
			t.Fatalf("view: %+v", v)
		}
	})
	t.Run("a configured lookup is fetched once and cached", func(t *testing.T) {
		setLookup(map[string]any{"url_template": ls.URL + "/customers?email={email}", "header_name": "X-Api-Key",
			"header_value": "k-123", "timeout_ms": 5000, "cache_ttl_seconds": 60})
		for range 2 {
			v := view()
			if v.External.Status != identity.LookupOK || string(v.External.Data) != `{"plan":"gold","orders":7}` {
				t.Fatalf("external: %+v", v.External)
			}
		}
		if n := ls.calls.Load(); n != 1 {
			t.Fatalf("%d calls to the company's system, want 1 (cached)", n)
		}
		rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/settings/contact-lookup", Token: te.Admin})
		if strings.Contains(rec.Body.String(), "k-123") || !strings.Contains(rec.Body.String(), `"header_set":true`) {
			t.Fatalf("settings leak the key or lost it: %s", rec.Body)
		}
	})
	t.Run("failures are shown, not fatal", func(t *testing.T) {
		setLookup(map[string]any{"url_template": ls.URL + "/customers?email={email}", "header_name": "X-Api-Key",
			"timeout_ms": 5000, "cache_ttl_seconds": 0}) // header value omitted: kept
		ls.mode.Store("fail")
		if v := view(); v.External.Status != identity.LookupError || !strings.Contains(v.External.Error, "500") {
			t.Fatalf("failing system: %+v", v.External)
		}
		setLookup(map[string]any{"url_template": ls.URL + "/customers?email={email}", "header_name": "X-Api-Key",
			"timeout_ms": 100, "cache_ttl_seconds": 0})
		ls.mode.Store("slow")
		if v := view(); v.External.Status != identity.LookupError || !strings.Contains(v.External.Error, "timed out") {
			t.Fatalf("stalled system: %+v", v.External)
		}
	})
	t.Run("agents without the permission do not get the company's data", func(t *testing.T) {
		te.MustPatch(t, conv, map[string]any{"team_id": te.Team.ID})
		rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/" + itoa(conv.ContactID) + "/360", Token: te.Member})
		v := MustDecode[identity.View360](t, rec)
		if rec.Code != http.StatusOK || v.External.Status != "hidden" || v.External.Data != nil {
			t.Fatalf("member view: %d %+v", rec.Code, v.External)
		}
	})
	t.Run("bad settings are refused", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "PUT", Path: "/api/v1/settings/contact-lookup", Token: te.Admin, Body: map[string]any{"url_template": "ftp://x/{id}"}})
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("ftp template: %d", rec.Code)
		}
	})
}

func TestConsentExportAndErasureOverHTTP(t *testing.T) {
	te := MustTeamEnv(t)
	conv := te.mustCustomer(t, "cust-z", "zelinda@example.com", "+4915100000009")
	base := "/api/v1/contacts/" + itoa(conv.ContactID)
	t.Run("consent is recorded and checked", func(t *testing.T) {
		check := func() bool {
			rec := Do(t, te.Srv, Req{Method: "GET", Path: base + "/consents/check?platform=whatsapp&purpose=marketing", Token: te.Member})
			if rec.Code != http.StatusOK {
				t.Fatalf("check: %d %s", rec.Code, rec.Body)
			}
			return MustDecode[struct{ Allowed bool }](t, rec).Allowed
		}
		if check() {
			t.Fatal("allowed without any record")
		}
		rec := Do(t, te.Srv, Req{Method: "PUT", Path: base + "/consents", Token: te.Member, Body: map[string]any{"platform": "whatsapp", "purpose": "marketing", "granted": true, "source": "phone call"}})
		if rec.Code != http.StatusOK || !check() {
			t.Fatalf("opt-in: %d %s", rec.Code, rec.Body)
		}
		if rec := Do(t, te.Srv, Req{Method: "PUT", Path: base + "/consents", Token: te.Member, Body: map[string]any{"platform": "pigeon", "purpose": "marketing", "granted": true}}); rec.Code != http.StatusBadRequest {
			t.Fatalf("unknown platform: %d", rec.Code)
		}
		list := MustDecode[struct{ Items []identity.Consent }](t, Do(t, te.Srv, Req{Method: "GET", Path: base + "/consents", Token: te.Member}))
		if len(list.Items) != 1 || !list.Items[0].Granted {
			t.Fatalf("consents: %+v", list)
		}
	})
	t.Run("export is for admins and holds the customer's data", func(t *testing.T) {
		if rec := Do(t, te.Srv, Req{Method: "GET", Path: base + "/export", Token: te.Member}); rec.Code != http.StatusForbidden {
			t.Fatalf("member export: %d", rec.Code)
		}
		rec := Do(t, te.Srv, Req{Method: "GET", Path: base + "/export", Token: te.Admin})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "zelinda@example.com") ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
	})
	t.Run("erasure needs confirmation and removes the data", func(t *testing.T) {
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: base + "/erase", Token: te.Admin, Body: map[string]any{}}); rec.Code != http.StatusBadRequest {
			t.Fatalf("unconfirmed erase: %d", rec.Code)
		}
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: base + "/erase", Token: te.Super, Body: map[string]any{"confirm": true}}); rec.Code != http.StatusForbidden {
			t.Fatalf("supervisor erase: %d", rec.Code)
		}
		rec := Do(t, te.Srv, Req{Method: "POST", Path: base + "/erase", Token: te.Admin, Body: map[string]any{"confirm": true}})
		if rec.Code != http.StatusOK {
			t.Fatalf("erase: %d %s", rec.Code, rec.Body)
		}
		rec = Do(t, te.Srv, Req{Method: "GET", Path: base + "/export", Token: te.Admin})
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "zelinda") || strings.Contains(rec.Body.String(), "hello, cust-z") {
			t.Fatalf("export after erasure: %s", rec.Body)
		}
	})
}

func TestSuggestionsOverHTTP(t *testing.T) {
	te := MustTeamEnv(t)
	a := te.mustCustomer(t, "cust-a", "ana@example.com", "+4915100000001")
	ev := &parley.InboundEvent{Kind: parley.InboundMessage, ChannelID: te.Channel.ID, Platform: te.Channel.Platform,
		ExternalID: "typed", Direction: parley.DirectionIn, Timestamp: time.Now().UTC(), Text: "it's me",
		Sender: parley.Sender{Kind: parley.IdentityExternal, ID: "visitor", Verified: true,
			Extra: []parley.Identity{{Kind: parley.IdentityEmail, Value: "ANA@example.com"}}}}
	res, err := te.Store.Ingest(context.Background(), []*parley.InboundEvent{ev})
	if err != nil || res[0].Contact.ID == a.ContactID {
		t.Fatalf("typed e-mail linked automatically: %v", err)
	}
	rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/" + itoa(a.ContactID) + "/suggestions", Token: te.Member})
	page := MustDecode[struct{ Items []identity.Suggestion }](t, rec)
	if rec.Code != http.StatusOK || len(page.Items) != 1 || page.Items[0].Contact.ID != res[0].Contact.ID || len(page.Items[0].Evidence) == 0 {
		t.Fatalf("suggestions: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "ana@example.com") {
		t.Fatalf("suggestions leak the e-mail to an agent: %s", rec.Body)
	}
}
