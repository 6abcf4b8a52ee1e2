package store_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
	"github.com/parleyhq/parley/store"
)

func TestDeletionRequests(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		msgr := MustChannel(t, st, parley.PlatformMessenger, map[string]string{"page_id": "1"})
		ig := MustChannel(t, st, parley.PlatformInstagram, map[string]string{"ig_account_id": "2"})
		a := MustIngestOne(t, st, inbound(msgr, parley.IdentityMessenger, "7100", true)).Contact
		b := MustIngestOne(t, st, inbound(ig, parley.IdentityInstagram, "7100", true)).Contact
		MustIngestOne(t, st, inbound(msgr, parley.IdentityMessenger, "7101", true))
		ids, err := st.FindContactsByIdentity(ctx, []parley.IdentityKind{parley.IdentityMessenger, parley.IdentityInstagram}, "7100")
		if err != nil || len(ids) != 2 || ids[0] != min(a.ID, b.ID) || ids[1] != max(a.ID, b.ID) {
			t.Fatalf("contacts %v, %v", ids, err)
		}
		if ids, _ := st.FindContactsByIdentity(ctx, []parley.IdentityKind{parley.IdentityFacebook}, "7100"); len(ids) != 0 {
			t.Fatalf("other kinds matched: %v", ids)
		}
		req := &identity.DeletionRequest{Code: "abc123", UserHash: "h", Status: identity.DeletionCompleted, ContactsErased: 2}
		if err := st.RecordDeletionRequest(ctx, req); err != nil {
			t.Fatal(err)
		}
		got, err := st.FindDeletionRequest(ctx, "abc123")
		if err != nil || got.ContactsErased != 2 || got.Status != identity.DeletionCompleted || got.RequestedAt.IsZero() {
			t.Fatalf("request %+v, %v", got, err)
		}
		if _, err := st.FindDeletionRequest(ctx, "zzz"); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("unknown code: %v", err)
		}
	})
}
