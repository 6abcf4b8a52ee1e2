package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
	"github.com/parleyhq/parley/store"
)

func suggestedIDs(tb testing.TB, st *store.Store, contactID int64) []int64 {
	tb.Helper()
	got, err := st.SuggestContacts(context.Background(), contactID)
	if err != nil {
		tb.Fatalf("suggest %d: %v", contactID, err)
	}
	var ids []int64
	for _, s := range got {
		ids = append(ids, s.Contact.ID)
	}
	return ids
}

func TestSuggestionDismissal(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ch := MustChannel(t, st, parley.PlatformAPI, nil)
		email := func(verified bool) parley.Identity {
			return parley.Identity{Kind: parley.IdentityEmail, Value: "ana@example.com", Verified: verified}
		}
		a := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "a", true, email(true))).Contact.ID
		b := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "b", true, email(false))).Contact.ID
		c := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "c", true, email(false))).Contact.ID
		if got := suggestedIDs(t, st, a); !slices.Contains(got, b) || !slices.Contains(got, c) {
			t.Fatalf("before any dismissal A is offered %v, want %d and %d", got, b, c)
		}

		t.Run("a dismissed pair is suggested from neither side", func(t *testing.T) {
			if err := st.DismissSuggestion(ctx, b, a, 7); err != nil {
				t.Fatal(err)
			}
			if got := suggestedIDs(t, st, a); slices.Contains(got, b) || !slices.Contains(got, c) {
				t.Errorf("A is offered %v after dismissing B; want only C", got)
			}
			if got := suggestedIDs(t, st, b); slices.Contains(got, a) {
				t.Errorf("B is offered %v; A was dismissed", got)
			}
		})
		t.Run("the first dismissal's agent and time are kept", func(t *testing.T) {
			if err := st.DismissSuggestion(ctx, a, b, 8); err != nil {
				t.Fatalf("dismissing again: %v", err)
			}
			ds, err := st.SuggestionDismissals(ctx, a)
			if err != nil || len(ds) != 1 || ds[0].OtherID != b || ds[0].AgentID == nil || *ds[0].AgentID != 7 || ds[0].CreatedAt.IsZero() {
				t.Fatalf("dismissals of A: %v %+v", err, ds)
			}
		})
		t.Run("bad pairs are refused", func(t *testing.T) {
			if err := st.DismissSuggestion(ctx, a, a, 7); parley.ErrorCode(err) != parley.EINVALID {
				t.Errorf("self: %v", err)
			}
			if err := st.DismissSuggestion(ctx, a, 999999, 7); parley.ErrorCode(err) != parley.ENOTFOUND {
				t.Errorf("unknown contact: %v", err)
			}
		})
		t.Run("a merge carries the source's dismissals; undo takes them back", func(t *testing.T) {
			if err := st.DismissSuggestion(ctx, c, b, 7); err != nil {
				t.Fatal(err)
			}
			d := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "d", true,
				parley.Identity{Kind: parley.IdentityEmail, Value: "ben@example.com", Verified: true})).Contact.ID
			e := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "e", true,
				parley.Identity{Kind: parley.IdentityEmail, Value: "ben@example.com", Verified: false})).Contact.ID
			if err := st.DismissSuggestion(ctx, e, d, 7); err != nil {
				t.Fatal(err)
			}
			// E (dismissed against D) merges into C: C takes E's judgement.
			res, err := st.MergeContacts(ctx, c, e, 7)
			if err != nil {
				t.Fatal(err)
			}
			if got := suggestedIDs(t, st, d); slices.Contains(got, c) {
				t.Errorf("D is offered %v after E, dismissed against D, merged into C", got)
			}
			if ds, _ := st.SuggestionDismissals(ctx, c); len(ds) != 2 || ds[1].MergeID == nil || *ds[1].MergeID != res.MergeID {
				t.Errorf("C's dismissals after the merge: %+v; want B and D (carried by merge %d)", ds, res.MergeID)
			}
			if got := suggestedIDs(t, st, c); slices.Contains(got, b) {
				t.Errorf("C is offered %v; its own dismissal of B must survive the merge", got)
			}
			if _, err := st.UndoMerge(ctx, res.MergeID); err != nil {
				t.Fatal(err)
			}
			if got := suggestedIDs(t, st, d); slices.Contains(got, e) {
				t.Errorf("after undo D is offered %v; E's own dismissal must be back", got)
			}
			ds, err := st.SuggestionDismissals(ctx, c)
			if err != nil || len(ds) != 1 || ds[0].OtherID != b {
				t.Errorf("after undo C's dismissals are %+v (%v); want only B, the carried D gone", ds, err)
			}
		})
		t.Run("an undone dismissal lets the pair be suggested again, from either side", func(t *testing.T) {
			if err := st.UndoDismissal(ctx, a, b); err != nil {
				t.Fatal(err)
			}
			if got := suggestedIDs(t, st, a); !slices.Contains(got, b) {
				t.Errorf("A is offered %v after undoing the dismissal of B", got)
			}
			if ds, err := st.SuggestionDismissals(ctx, b); err != nil || slices.ContainsFunc(ds, func(d identity.Dismissal) bool { return d.OtherID == a }) {
				t.Errorf("B's dismissals after the undo: %+v %v", ds, err)
			}
			if err := st.UndoDismissal(ctx, b, a); parley.ErrorCode(err) != parley.ENOTFOUND {
				t.Errorf("undoing twice: %v, want not found", err)
			}
			if err := st.DismissSuggestion(ctx, a, b, 9); err != nil {
				t.Fatal(err)
			}
			if ds, _ := st.SuggestionDismissals(ctx, a); len(ds) != 1 || *ds[0].AgentID != 9 {
				t.Errorf("dismissed again: %+v; want the new agent's judgement", ds)
			}
		})
		t.Run("erasure drops the contact's dismissals", func(t *testing.T) {
			if _, err := st.EraseContact(ctx, b, 7); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, st, `SELECT count(*) FROM contact_suggestion_dismissals WHERE contact_low = $1 OR contact_high = $1`, b); n != 0 {
				t.Errorf("%d dismissals of the erased contact remain", n)
			}
		})
	})
}
