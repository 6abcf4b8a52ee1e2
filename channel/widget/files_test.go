package widget_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store/storetest"
)

// TestAgentFilesReachVisitorsBySignedLink: an agent's stored attachment is
// shown to the visitor at its signed public address, live and in the
// history after a reconnect; the agents' own address needs a session.
func TestAgentFilesReachVisitorsBySignedLink(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	s := e.MustSession(t, e.Channel, map[string]any{"name": "Mia"})
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	echo := v.MustSay(t, "files-0001", "Can I see the label?")

	m := &parley.Message{ConversationID: echo.Message.ConversationID, Direction: parley.DirectionOut, Kind: parley.KindText,
		AuthorAgentID: &e.Agent.ID, Attachments: []parley.Attachment{{Type: "image", ContentType: "image/png", Filename: "label.png",
			StorageKey: "0123456789abcdef0123456789abcdef", URL: parley.FilesPath + "0123456789abcdef0123456789abcdef"}}}
	if err := e.Store.CreateMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if err := e.Bus.PublishOutbound(context.Background(), m.ID, 0); err != nil {
		t.Fatal(err)
	}
	want := "https://signed.example/files/0123456789abcdef0123456789abcdef?sig=x"
	live := v.MustFrame(t, "the reply", func(f frame) bool { return f.Type == "message" && f.Message.ID == m.ID })
	if len(live.Message.Attachments) != 1 || live.Message.Attachments[0].URL != want {
		t.Fatalf("live attachment %+v", live.Message.Attachments)
	}
	again := e.MustConnect(t, e.Channel, s.Token, 0)
	old := again.MustFrame(t, "the reply in the history", func(f frame) bool { return f.Type == "message" && f.Message.ID == m.ID })
	if len(old.Message.Attachments) != 1 || old.Message.Attachments[0].URL != want {
		t.Fatalf("history attachment %+v", old.Message.Attachments)
	}
}

// TestLegacyUploadsStayReadable: uploads from before the attachment store
// (bytes and a JSON sidecar in <files>/widget) are still served at the
// addresses stored messages carry.
func TestLegacyUploadsStayReadable(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	id := "00112233445566778899aabbccddeeff"
	writeLegacy(t, e, id, "old.png")
	res, err := http.Get(e.Server.URL + "/widget/v1/files/" + id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, pngBytes()) || res.Header.Get("Content-Type") != "image/png" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "old.png") {
		t.Fatalf("legacy file: %d, %d bytes, %v", res.StatusCode, len(got), res.Header)
	}
}

// TestErasingAVisitorDeletesTheirUploads: a visitor's uploads, sent or
// not, are the contact's files: erasure deletes their records and hands
// their keys to the file store, on both engines.
func TestErasingAVisitorDeletesTheirUploads(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testErasingAVisitor(t, "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testErasingAVisitor(t, storetest.PostgresSchemas(t)(t))
	})
}

func testErasingAVisitor(t *testing.T, dsn string) {
	ctx := context.Background()
	e := MustEnvOn(t, dsn, roomy, nil)
	s := e.MustSession(t, e.Channel, map[string]any{"name": "Mia"})
	sent := mustUpload(t, e, e.Channel, s.Token, "sent.png", pngBytes(), http.StatusCreated)
	unsent := mustUpload(t, e, e.Channel, s.Token, "unsent.png", pngBytes(), http.StatusCreated)
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	v.send(t, map[string]any{"type": "message", "client_id": "erase-file1", "text": "see", "files": []string{sent}})
	v.MustFrame(t, "echo", func(f frame) bool { return f.Type == "message" && f.Message.ClientID == "erase-file1" })
	f := eventuallyBound(t, e, sent)

	conv, err := e.Store.FindConversationByID(ctx, *f.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.Store.EraseContact(ctx, conv.ContactID, e.Agent.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{sent, unsent} {
		if !slices.Contains(rep.AttachmentKeys, key) {
			t.Errorf("erasure did not hand over %s: %v", key, rep.AttachmentKeys)
		}
		if _, err := e.Store.FindFileByKey(ctx, key); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Errorf("record of %s after erasure: %v", key, err)
		}
		if status := fetchStatus(t, e, e.Channel, s.Token, key); status == http.StatusOK {
			t.Errorf("%s still served to the erased visitor", key)
		}
	}
}

// TestLegacyUploadsMoveIntoTheFileStore: at startup a legacy upload that a
// message carries becomes that message's stored file (so erasure finds
// it); one no message carries (never sent, or its contact erased) is
// deleted.
func TestLegacyUploadsMoveIntoTheFileStore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testLegacyUploadsMove(t, "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testLegacyUploadsMove(t, storetest.PostgresSchemas(t)(t))
	})
}

func testLegacyUploadsMove(t *testing.T, dsn string) {
	ctx := context.Background()
	e := MustEnvOn(t, dsn, roomy, nil)
	s := e.MustSession(t, e.Channel, map[string]any{"name": "Old"})
	v := e.MustConnect(t, e.Channel, s.Token, 0)
	v.MustFrame(t, "caught_up", isType("caught_up"))
	echo := v.MustSay(t, "legacy-001", "an old picture")
	sent, orphan := "0123456789abcdef0123456789abcdee", "fedcba9876543210fedcba9876543210"
	writeLegacy(t, e, sent, "old.png")
	writeLegacy(t, e, orphan, "never-sent.png")
	if _, err := e.Store.UpdateMessageAttachments(ctx, echo.Message.ID, []parley.Attachment{
		{Type: "image", ContentType: "image/png", Filename: "old.png", URL: "/widget/v1/files/" + sent, Caption: "look"}}); err != nil {
		t.Fatal(err)
	}

	n, err := e.Handler.MigrateLegacyUploads(ctx)
	if err != nil || n != 2 {
		t.Fatalf("moved %d, %v; want 2", n, err)
	}
	for _, id := range []string{sent, orphan} {
		for _, p := range []string{id, id + ".json"} {
			if _, err := os.Stat(filepath.Join(e.DataDir, "files", "widget", p)); !os.IsNotExist(err) {
				t.Errorf("legacy %s left behind: %v", p, err)
			}
		}
	}
	m, err := e.Store.FindMessageByID(ctx, echo.Message.ID)
	if err != nil || len(m.Attachments) != 1 || m.Attachments[0].StorageKey == "" || m.Attachments[0].Caption != "look" ||
		m.Attachments[0].URL != parley.FilesPath+m.Attachments[0].StorageKey {
		t.Fatalf("message after the move %+v, %v", m, err)
	}
	key := m.Attachments[0].StorageKey
	f, err := e.Store.FindFileByKey(ctx, key)
	if err != nil || f.MessageID == nil || *f.MessageID != m.ID || f.Filename != "old.png" || f.ContactID == nil {
		t.Fatalf("record %+v, %v", f, err)
	}
	rc, err := e.Files.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, pngBytes()) {
		t.Fatalf("stored %d bytes", len(got))
	}
	if n, err := e.Handler.MigrateLegacyUploads(ctx); err != nil || n != 0 {
		t.Fatalf("second run moved %d, %v", n, err)
	}
	rep, err := e.Store.EraseContact(ctx, *f.ContactID, e.Agent.ID)
	if err != nil || !slices.Contains(rep.AttachmentKeys, key) {
		t.Fatalf("erasure keys %v, %v; want %s", rep.AttachmentKeys, err, key)
	}
}

func writeLegacy(t *testing.T, e *env, id, name string) {
	t.Helper()
	dir := filepath.Join(e.DataDir, "files", "widget")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	meta := `{"channel_id":1,"contact_id":1,"filename":"` + name + `","content_type":"image/png","size":` + itoa(int64(len(pngBytes()))) + `}`
	if err := os.WriteFile(filepath.Join(dir, id), pngBytes(), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, id+".json"), []byte(meta), 0o640); err != nil {
		t.Fatal(err)
	}
}
