package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

func TestDismissSuggestionOverHTTP(t *testing.T) {
	te := MustTeamEnv(t)
	a := te.mustCustomer(t, "cust-a", "ana@example.com", "+4915100000001")
	ev := &parley.InboundEvent{Kind: parley.InboundMessage, ChannelID: te.Channel.ID, Platform: te.Channel.Platform,
		ExternalID: "typed", Direction: parley.DirectionIn, Timestamp: time.Now().UTC(), Text: "it's me",
		Sender: parley.Sender{Kind: parley.IdentityExternal, ID: "visitor", Verified: true,
			Extra: []parley.Identity{{Kind: parley.IdentityEmail, Value: "ana@example.com"}}}}
	res, err := te.Store.Ingest(context.Background(), []*parley.InboundEvent{ev})
	if err != nil {
		t.Fatal(err)
	}
	b := res[0].Contact.ID
	suggested := func(id int64) int {
		rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/" + itoa(id) + "/suggestions", Token: te.Member})
		return len(MustDecode[struct{ Items []identity.Suggestion }](t, rec).Items)
	}
	if suggested(a.ContactID) != 1 {
		t.Fatal("the typed e-mail is not suggested before dismissal")
	}
	path := "/api/v1/contacts/" + itoa(b) + "/suggestions/" + itoa(a.ContactID) + "/dismiss"
	if rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Member}); rec.Code != http.StatusNoContent {
		t.Fatalf("dismiss: %d %s", rec.Code, rec.Body)
	}
	if n, m := suggested(a.ContactID), suggested(b); n != 0 || m != 0 {
		t.Errorf("after dismissal A is offered %d and B %d suggestions; want none", n, m)
	}
	ds, err := te.Store.SuggestionDismissals(context.Background(), a.ContactID)
	if err != nil || len(ds) != 1 || ds[0].AgentID == nil || *ds[0].AgentID != te.MemberAgent.ID {
		t.Errorf("recorded dismissal: %v %+v; want one by the member", err, ds)
	}
	listPath := "/api/v1/contacts/" + itoa(a.ContactID) + "/suggestions/dismissals"
	t.Run("the dismissal is listed from either side, with who made it", func(t *testing.T) {
		for _, id := range []int64{a.ContactID, b} {
			rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/" + itoa(id) + "/suggestions/dismissals", Token: te.Member})
			if rec.Code != http.StatusOK {
				t.Fatalf("list: %d %s", rec.Code, rec.Body)
			}
			items := MustDecode[struct{ Items []identity.Dismissal }](t, rec).Items
			if len(items) != 1 || items[0].ContactID != id || items[0].AgentID == nil || *items[0].AgentID != te.MemberAgent.ID {
				t.Errorf("dismissals of %d: %+v", id, items)
			}
		}
		if rec := Do(t, te.Srv, Req{Method: "GET", Path: "/api/v1/contacts/999999/suggestions/dismissals", Token: te.Member}); rec.Code != http.StatusNotFound {
			t.Errorf("unknown contact: %d, want 404", rec.Code)
		}
	})
	t.Run("undoing it brings the suggestion back on both sides", func(t *testing.T) {
		undo := "/api/v1/contacts/" + itoa(a.ContactID) + "/suggestions/" + itoa(b) + "/dismiss"
		if rec := Do(t, te.Srv, Req{Method: "DELETE", Path: undo, Token: te.Member}); rec.Code != http.StatusNoContent {
			t.Fatalf("undo: %d %s", rec.Code, rec.Body)
		}
		if n, m := suggested(a.ContactID), suggested(b); n != 1 || m != 1 {
			t.Errorf("after undo A is offered %d and B %d suggestions; want one each", n, m)
		}
		if items := MustDecode[struct{ Items []identity.Dismissal }](t, Do(t, te.Srv, Req{Method: "GET", Path: listPath, Token: te.Member})).Items; len(items) != 0 {
			t.Errorf("dismissals after undo: %+v", items)
		}
		if rec := Do(t, te.Srv, Req{Method: "DELETE", Path: undo, Token: te.Member}); rec.Code != http.StatusNotFound {
			t.Errorf("undoing again: %d, want 404", rec.Code)
		}
		if rec := Do(t, te.Srv, Req{Method: "DELETE", Path: undo}); rec.Code != http.StatusUnauthorized {
			t.Errorf("undo without signing in: %d, want 401", rec.Code)
		}
	})
	for name, p := range map[string]string{
		"unknown other": "/api/v1/contacts/" + itoa(b) + "/suggestions/999999/dismiss",
		"itself":        "/api/v1/contacts/" + itoa(b) + "/suggestions/" + itoa(b) + "/dismiss",
	} {
		want := map[string]int{"unknown other": http.StatusNotFound, "itself": http.StatusBadRequest}[name]
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: p, Token: te.Member}); rec.Code != want {
			t.Errorf("%s: %d, want %d", name, rec.Code, want)
		}
	}
}
