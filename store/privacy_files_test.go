package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
)

func TestFindContactFiles(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ch := MustChannel(t, st, parley.PlatformAPI, nil)
		ana := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "ana", true))
		old := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "ana-old", true))
		bob := MustIngestOne(t, st, inbound(ch, parley.IdentityExternal, "bob", true))
		create := func(key string, f parley.File) {
			f.Key, f.ContentType, f.SHA256 = key, "image/png", "x"
			if err := st.CreateFile(ctx, &f); err != nil {
				t.Fatal(err)
			}
		}
		create("of-contact", parley.File{ContactID: &ana.Contact.ID})
		create("of-ticket", parley.File{ConversationID: &ana.Conversation.ID})
		create("of-message", parley.File{MessageID: &ana.Message.ID})
		create("of-merged", parley.File{ContactID: &old.Contact.ID, ConversationID: &old.Conversation.ID, MessageID: &old.Message.ID})
		create("of-bob", parley.File{ContactID: &bob.Contact.ID, ConversationID: &bob.Conversation.ID})
		create("unbound", parley.File{AgentID: mustAgentID(t, st, "a@x.test")})
		if _, err := st.MergeContacts(ctx, ana.Contact.ID, old.Contact.ID, 0); err != nil {
			t.Fatal(err)
		}
		files, err := st.FindContactFiles(ctx, ana.Contact.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, f := range files {
			keys = append(keys, f.Key)
		}
		slices.Sort(keys)
		if want := []string{"of-contact", "of-merged", "of-message", "of-ticket"}; !slices.Equal(keys, want) {
			t.Errorf("files %v, want %v", keys, want)
		}
	})
}
