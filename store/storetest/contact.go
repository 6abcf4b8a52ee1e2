package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
)

func testContacts(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("create with identities, update merges attributes", func(t *testing.T) {
		st := open(t)
		c := &parley.Contact{Name: "Ana Müller", Email: "Ana@Example.COM", Attributes: map[string]string{"plan": "pro", "city": "Köln"},
			Identities: []*parley.Identity{{Kind: parley.IdentityEmail, Value: "Ana@Example.COM", Verified: true}}}
		if err := st.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := st.FindContactByID(ctx, c.ID)
		if err != nil || got.Email != "ana@example.com" || len(got.Identities) != 1 || got.Identities[0].Value != "ana@example.com" {
			t.Fatalf("contact = %+v, %v", got, err)
		}
		got, err = st.UpdateContact(ctx, c.ID, parley.ContactUpdate{Tier: ptr("vip"), Attributes: map[string]*string{"plan": ptr("team"), "city": nil}})
		if err != nil || got.Tier != "vip" || got.Attributes["plan"] != "team" || len(got.Attributes) != 1 || got.Name != "Ana Müller" {
			t.Fatalf("updated = %+v, %v", got, err)
		}
		_, err = st.FindContactByID(ctx, c.ID+100)
		wantCode(t, err, parley.ENOTFOUND)
	})

	t.Run("an identity belongs to one contact", func(t *testing.T) {
		st := open(t)
		a, b := &parley.Contact{Name: "A"}, &parley.Contact{Name: "B"}
		for _, c := range []*parley.Contact{a, b} {
			if err := st.CreateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		phone := func() *parley.Identity {
			return &parley.Identity{Kind: parley.IdentityPhone, Value: "+1 (555) 0100", Verified: true}
		}
		if err := st.AddIdentity(ctx, a.ID, phone()); err != nil {
			t.Fatal(err)
		}
		if err := st.AddIdentity(ctx, a.ID, phone()); err != nil {
			t.Fatalf("adding it again: %v", err)
		}
		wantCode(t, st.AddIdentity(ctx, b.ID, phone()), parley.ECONFLICT)
		wantCode(t, st.AddIdentity(ctx, b.ID, &parley.Identity{Kind: parley.IdentityMessenger, Value: "psid"}), parley.EINVALID)
	})

	t.Run("query finds words, CJK names and filters by tier, page by page", func(t *testing.T) {
		st := open(t)
		names := []string{"王小明", "田中太郎", "Ana Lima", "Bo Andersson"}
		for i, name := range names {
			c := &parley.Contact{Name: name, Email: fmt.Sprintf("c%d@shop.example", i)}
			if i%2 == 0 {
				c.Tier = "vip"
			}
			if err := st.CreateContact(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			query string
			want  []string
		}{{"小明", []string{"王小明"}}, {"田中", []string{"田中太郎"}}, {"ana", []string{"Ana Lima"}}, {"anders", []string{"Bo Andersson"}},
			{"c3@shop.example", []string{"Bo Andersson"}}, {"nobody", nil}}
		for _, tc := range cases {
			got, _, err := st.FindContacts(ctx, parley.ContactFilter{Query: ptr(tc.query)})
			if err != nil || len(got) != len(tc.want) || (len(got) > 0 && got[0].Name != tc.want[0]) {
				t.Errorf("query %q: %v (%v), want %v", tc.query, contactNames(got), err, tc.want)
			}
		}
		vip, _, _ := st.FindContacts(ctx, parley.ContactFilter{Tier: ptr("vip")})
		if len(vip) != 2 {
			t.Fatalf("vip = %v", contactNames(vip))
		}
		var all []string
		cursor := ""
		for range 10 {
			page, next, err := st.FindContacts(ctx, parley.ContactFilter{Page: parley.Page{Limit: 3, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, contactNames(page)...)
			if cursor = next; cursor == "" {
				break
			}
		}
		if len(all) != len(names) || all[0] != "Bo Andersson" {
			t.Fatalf("pages = %v", all)
		}
		_, _, err := st.FindContacts(ctx, parley.ContactFilter{Page: parley.Page{Cursor: "not a cursor!"}})
		wantCode(t, err, parley.EINVALID)
	})
}

func contactNames(cs []*parley.Contact) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}
