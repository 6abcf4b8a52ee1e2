package store_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
)

func TestFindContactByIdentity(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ch := MustChannel(t, st, parley.PlatformAPI, nil)
		a := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "cust-a", true,
			parley.Identity{Kind: parley.IdentityEmail, Value: "Ana@Example.com", Verified: true})).Contact
		b := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "cust-b", true)).Contact

		t.Run("scoped and global identities, global ones normalised", func(t *testing.T) {
			c, err := st.FindContactByIdentity(ctx, parley.IdentityExternal, ch.ID, "cust-a")
			if err != nil || c.ID != a.ID || len(c.Identities) != 2 {
				t.Fatalf("scoped: %v %+v", err, c)
			}
			if c, err := st.FindContactByIdentity(ctx, parley.IdentityEmail, ch.ID, " ANA@example.COM "); err != nil || c.ID != a.ID {
				t.Errorf("e-mail in another case, with a scope given: %v %+v", err, c)
			}
		})
		t.Run("unknown identities are not found", func(t *testing.T) {
			for _, q := range []struct {
				scope int64
				value string
			}{{ch.ID, "nobody"}, {ch.ID + 1, "cust-a"}} {
				if _, err := st.FindContactByIdentity(ctx, parley.IdentityExternal, q.scope, q.value); parley.ErrorCode(err) != parley.ENOTFOUND {
					t.Errorf("%+v: %v", q, err)
				}
			}
		})
		t.Run("after a merge the identity leads to the survivor", func(t *testing.T) {
			if _, err := st.MergeContacts(ctx, a.ID, b.ID, 0); err != nil {
				t.Fatal(err)
			}
			c, err := st.FindContactByIdentity(ctx, parley.IdentityExternal, ch.ID, "cust-b")
			if err != nil || c.ID != a.ID {
				t.Errorf("merged-away identity: %v %+v; want contact %d", err, c, a.ID)
			}
		})
	})
}
