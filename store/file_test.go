package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
)

func mustFile(t *testing.T, st *store.Store, key string, agentID *int64) *parley.File {
	t.Helper()
	f := &parley.File{Key: key, Filename: key + ".png", ContentType: "image/png", Size: 3, SHA256: "abc", AgentID: agentID}
	if err := st.CreateFile(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustAgentID(t *testing.T, st *store.Store, email string) *int64 {
	t.Helper()
	a := &parley.Agent{Email: email, Name: email, Role: parley.RoleAgent, Active: true, Language: "en"}
	if err := st.CreateAgent(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return &a.ID
}

func TestFileRecords(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		agent := mustAgentID(t, st, "ana@example.com")
		mustFile(t, st, "k1", agent)
		got, err := st.FindFileByKey(ctx, "k1")
		if err != nil || got.Filename != "k1.png" || got.AgentID == nil || *got.AgentID != *agent || got.MessageID != nil || got.CreatedAt.IsZero() {
			t.Fatalf("found %+v, %v", got, err)
		}
		if _, err := st.FindFileByKey(ctx, "nope"); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("unknown key: %v", err)
		}
		if err := st.CreateFile(ctx, &parley.File{Key: "k1", ContentType: "image/png"}); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Fatalf("duplicate key: %v", err)
		}
		if err := st.DeleteFile(ctx, "k1"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.FindFileByKey(ctx, "k1"); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestRepliesBindTheirFiles(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		agent := mustAgentID(t, st, "ana@example.com")
		chs := mustChannels(t, st)
		one := MustIngestOne(t, st, inbound(chs.whatsapp, parley.IdentityWhatsApp, "4915100000001", true))
		two := MustIngestOne(t, st, inbound(chs.whatsapp, parley.IdentityWhatsApp, "4915100000002", true))
		f := mustFile(t, st, "up1", agent)
		reply := func(conv *parley.Conversation) error {
			return st.CreateMessage(ctx, &parley.Message{ConversationID: conv.ID, Kind: parley.KindText, AuthorAgentID: agent,
				ContactID: &conv.ContactID, Attachments: []parley.Attachment{f.Attachment()}})
		}
		if err := reply(one.Conversation); err != nil {
			t.Fatal(err)
		}
		got, _ := st.FindFileByKey(ctx, "up1")
		if got.MessageID == nil || got.ConversationID == nil || *got.ConversationID != one.Conversation.ID ||
			got.ContactID == nil || *got.ContactID != one.Contact.ID {
			t.Fatalf("not bound: %+v", got)
		}
		if err := reply(one.Conversation); err != nil {
			t.Fatalf("the same ticket may carry it again: %v", err)
		}
		if err := reply(two.Conversation); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Fatalf("file of another ticket: %v", err)
		}
	})
}

func TestBindFilesLeavesAgentUploadsAlone(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		agent := mustAgentID(t, st, "ana@example.com")
		chs := mustChannels(t, st)
		res := MustIngestOne(t, st, inbound(chs.mail, parley.IdentityEmail, "zed@example.com", true))
		mustFile(t, st, "mail1", nil)
		mustFile(t, st, "agent1", agent)
		if err := st.BindFiles(ctx, []string{"mail1", "agent1"}, res.Message); err != nil {
			t.Fatal(err)
		}
		if f, _ := st.FindFileByKey(ctx, "mail1"); f.MessageID == nil || *f.MessageID != res.Message.ID || *f.ConversationID != res.Conversation.ID {
			t.Fatalf("inbound file not bound: %+v", f)
		}
		if f, _ := st.FindFileByKey(ctx, "agent1"); f.MessageID != nil {
			t.Fatalf("an agent's upload was taken by an inbound message: %+v", f)
		}
		atts := []parley.Attachment{{Type: "image", StorageKey: "mail1", URL: parley.FilesPath + "mail1"}}
		m, err := st.UpdateMessageAttachments(ctx, res.Message.ID, atts)
		if err != nil || len(m.Attachments) != 1 || m.Attachments[0].StorageKey != "mail1" {
			t.Fatalf("update attachments: %+v %v", m, err)
		}
		if _, err := st.UpdateMessageAttachments(ctx, 999999, atts); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("unknown message: %v", err)
		}
	})
}

func TestEraseDeletesTheContactsFiles(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		chs := mustChannels(t, st)
		gone := MustIngestOne(t, st, inbound(chs.mail, parley.IdentityEmail, "gone@example.com", true))
		kept := MustIngestOne(t, st, inbound(chs.mail, parley.IdentityEmail, "kept@example.com", true))
		mustFile(t, st, "of-message", nil)
		mustFile(t, st, "of-kept", nil)
		if err := st.BindFiles(ctx, []string{"of-message"}, gone.Message); err != nil {
			t.Fatal(err)
		}
		if err := st.BindFiles(ctx, []string{"of-kept"}, kept.Message); err != nil {
			t.Fatal(err)
		}
		conv := gone.Conversation.ID
		if err := st.CreateFile(ctx, &parley.File{Key: "of-ticket", ContentType: "image/png", SHA256: "x", ConversationID: &conv}); err != nil {
			t.Fatal(err)
		}
		rep, err := st.EraseContact(ctx, gone.Contact.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"of-message", "of-ticket"} {
			if !slices.Contains(rep.AttachmentKeys, k) {
				t.Errorf("erasure report misses %s: %v", k, rep.AttachmentKeys)
			}
			if _, err := st.FindFileByKey(ctx, k); parley.ErrorCode(err) != parley.ENOTFOUND {
				t.Errorf("record %s survived erasure: %v", k, err)
			}
		}
		if slices.Contains(rep.AttachmentKeys, "of-kept") {
			t.Error("another contact's file was reported for deletion")
		}
		if _, err := st.FindFileByKey(ctx, "of-kept"); err != nil {
			t.Errorf("another contact's file was deleted: %v", err)
		}
	})
}

func TestDeleteUnboundFiles(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		clock := &stepClock{at: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
		st.Clock = clock
		agent := mustAgentID(t, st, "ana@example.com")
		chs := mustChannels(t, st)
		res := MustIngestOne(t, st, inbound(chs.mail, parley.IdentityEmail, "zed@example.com", true))
		mustFile(t, st, "old-upload", agent)
		mustFile(t, st, "old-mail", nil)
		mustFile(t, st, "old-sent", agent)
		visitor := &parley.File{Key: "old-visitor", ContentType: "image/png", SHA256: "abc", ContactID: &res.Conversation.ContactID}
		if err := st.CreateFile(ctx, visitor); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateMessage(ctx, &parley.Message{ConversationID: res.Conversation.ID, Kind: parley.KindText, AuthorAgentID: agent,
			Attachments: []parley.Attachment{{Type: "image", StorageKey: "old-sent"}}}); err != nil {
			t.Fatal(err)
		}
		clock.at = clock.at.Add(48 * time.Hour)
		mustFile(t, st, "new-upload", agent)
		keys, err := st.DeleteUnboundFiles(ctx, clock.at.Add(-24*time.Hour), 100)
		slices.Sort(keys)
		if err != nil || !slices.Equal(keys, []string{"old-mail", "old-upload", "old-visitor"}) {
			t.Fatalf("deleted %v, %v", keys, err)
		}
		for _, k := range []string{"old-sent", "new-upload"} {
			if _, err := st.FindFileByKey(ctx, k); err != nil {
				t.Errorf("%s: %v", k, err)
			}
		}
		if keys, err := st.DeleteUnboundFiles(ctx, clock.at.Add(-24*time.Hour), 100); err != nil || len(keys) != 0 {
			t.Fatalf("second run deleted %v, %v", keys, err)
		}
	})
}

func TestFilesFollowMergedTickets(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		chs := mustChannels(t, st)
		target := MustIngestOne(t, st, inbound(chs.whatsapp, parley.IdentityWhatsApp, "4915100000011", true))
		source := MustIngestOne(t, st, inbound(chs.whatsapp, parley.IdentityWhatsApp, "4915100000012", true))
		mustFile(t, st, "src", nil)
		if err := st.BindFiles(ctx, []string{"src"}, source.Message); err != nil {
			t.Fatal(err)
		}
		if _, err := st.MergeConversations(ctx, target.Conversation.ID, source.Conversation.ID, nil); err != nil {
			t.Fatal(err)
		}
		if f, _ := st.FindFileByKey(ctx, "src"); f.ConversationID == nil || *f.ConversationID != target.Conversation.ID {
			t.Fatalf("file stayed with the merged-away ticket: %+v", f)
		}
	})
}

// TestFindMessagesWithAttachmentURL finds the messages of one platform
// whose attachments name an address, and treats the fragment as text.
func TestFindMessagesWithAttachmentURL(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		chs := mustChannels(t, st)
		mail := MustIngestOne(t, st, inbound(chs.mail, parley.IdentityEmail, "zed@example.com", true))
		wa := MustIngestOne(t, st, inbound(chs.whatsapp, parley.IdentityWhatsApp, "4915100000031", true))
		other := MustIngestOne(t, st, inbound(chs.whatsapp, parley.IdentityWhatsApp, "4915100000032", true))
		for _, r := range []parley.IngestResult{mail, wa} {
			if _, err := st.UpdateMessageAttachments(ctx, r.Message.ID, []parley.Attachment{{Type: "file", URL: "/old/files/abc"}}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.FindMessagesWithAttachmentURL(ctx, parley.PlatformWhatsApp, "/old/files/")
		if err != nil || len(got) != 1 || got[0].ID != wa.Message.ID {
			t.Fatalf("found %v, %v; want only message %d (not %d)", got, err, wa.Message.ID, other.Message.ID)
		}
		if _, err := st.FindMessagesWithAttachmentURL(ctx, parley.PlatformWhatsApp, "%"); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("a wildcard fragment: %v", err)
		}
	})
}
