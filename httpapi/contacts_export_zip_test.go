package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"

	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/filestore"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/identity"
)

// memFiles is a file store holding one contact's files in memory.
type memFiles struct {
	files []httpapi.ContactFile
	data  map[string]string
}

func (m *memFiles) ContactFiles(context.Context, int64) ([]httpapi.ContactFile, error) {
	return m.files, nil
}

func (m *memFiles) OpenContactFile(_ context.Context, key string) (io.ReadCloser, error) {
	d, ok := m.data[key]
	if !ok {
		return nil, parley.Errorf(parley.ENOTFOUND, "file %s not found", key)
	}
	return io.NopCloser(strings.NewReader(d)), nil
}

// exportFixture is a customer with two messages (one with a file), a
// consent and a merged duplicate.
type exportFixture struct {
	*Env
	admin, member string
	conv          *parley.Conversation
}

func mustExportFixture(t *testing.T, files httpapi.ContactFileSource) *exportFixture {
	t.Helper()
	e := MustEnv(t, func(c *httpapi.Config) { c.ExportFiles = files })
	f := &exportFixture{Env: e, admin: e.MustToken(t, e.MustAgent(t, "root@x.test", parley.RoleAdmin)),
		member: e.MustToken(t, e.MustAgent(t, "m@x.test", parley.RoleAgent))}
	ctx := context.Background()
	ingest := func(sender, ext, text string, atts ...parley.Attachment) *parley.Conversation {
		ev := &parley.InboundEvent{Kind: parley.InboundMessage, ChannelID: e.Channel.ID, Platform: e.Channel.Platform,
			ExternalID: ext, Direction: parley.DirectionIn, Timestamp: time.Now().UTC(), Text: text, Attachments: atts,
			Sender: parley.Sender{Kind: parley.IdentityExternal, ID: sender, Name: "Zelinda Ruiz", Verified: true,
				Extra: []parley.Identity{{Kind: parley.IdentityEmail, Value: sender + "@example.com", Verified: true}}}}
		res, err := e.Store.Ingest(ctx, []*parley.InboundEvent{ev})
		if err != nil || res[0].Conversation == nil {
			t.Fatalf("ingest: %v", err)
		}
		return res[0].Conversation
	}
	f.conv = ingest("zelinda", "m1", "my invoice is wrong\nsecond line")
	ingest("zelinda", "m2", "here it is", parley.Attachment{Type: "file", Filename: "invoice.pdf", StorageKey: "k1", ContentType: "application/pdf"})
	other := ingest("zelinda-old", "m3", "old account")
	if _, err := e.Store.SetConsent(ctx, identity.Consent{ContactID: f.conv.ContactID, Platform: parley.PlatformWhatsApp,
		Purpose: "marketing", Granted: true, Source: "form"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.MergeContacts(ctx, f.conv.ContactID, other.ContactID, 0); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *exportFixture) exportZip(t *testing.T) (*http.Response, map[string]string) {
	t.Helper()
	rec := Do(t, f.Srv, Req{Method: "GET", Path: "/api/v1/contacts/" + itoa(f.conv.ContactID) + "/export?format=zip", Token: f.admin})
	if rec.Code != http.StatusOK {
		t.Fatalf("zip export: %d %s", rec.Code, rec.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatalf("the export is not a ZIP: %v", err)
	}
	entries := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("reading %s: %v", zf.Name, err)
		}
		entries[zf.Name] = string(data)
	}
	return rec.Result(), entries
}

func TestContactExportZip(t *testing.T) {
	files := &memFiles{
		files: []httpapi.ContactFile{{Key: "k1", Filename: "../../invoice.pdf", ContentType: "application/pdf", Size: 9}},
		data:  map[string]string{"k1": "%PDF-1.7 bytes"},
	}
	f := mustExportFixture(t, files)
	files.files[0].ConversationID = f.conv.ID
	resp, entries := f.exportZip(t)
	dir := "conversations/" + itoa(f.conv.Number) + "/"

	t.Run("is a named attachment", func(t *testing.T) {
		if ct := resp.Header.Get("Content-Type"); ct != "application/zip" {
			t.Errorf("Content-Type %q", ct)
		}
		want := `attachment; filename="contact-` + itoa(f.conv.ContactID) + `-export.zip"`
		if cd := resp.Header.Get("Content-Disposition"); cd != want {
			t.Errorf("Content-Disposition %q, want %q", cd, want)
		}
	})
	t.Run("holds the contact, identities, consents and merges", func(t *testing.T) {
		var c parley.Contact
		if err := json.Unmarshal([]byte(entries["contact.json"]), &c); err != nil || c.ID != f.conv.ContactID {
			t.Fatalf("contact.json: %v %s", err, entries["contact.json"])
		}
		for _, addr := range []string{"zelinda@example.com", "zelinda-old@example.com"} {
			if !strings.Contains(entries["identities.json"], addr) {
				t.Errorf("identities.json lacks %s: %s", addr, entries["identities.json"])
			}
		}
		var consents []identity.Consent
		if err := json.Unmarshal([]byte(entries["consents.json"]), &consents); err != nil || len(consents) != 1 || !consents[0].Granted {
			t.Errorf("consents.json: %v %s", err, entries["consents.json"])
		}
		var merges []identity.MergeResult
		if err := json.Unmarshal([]byte(entries["merges.json"]), &merges); err != nil || len(merges) != 1 {
			t.Errorf("merges.json: %v %s", err, entries["merges.json"])
		}
	})
	t.Run("holds each conversation's messages and a readable transcript", func(t *testing.T) {
		var msgs []parley.Message
		if err := json.Unmarshal([]byte(entries[dir+"messages.json"]), &msgs); err != nil || len(msgs) != 2 {
			t.Fatalf("%smessages.json: %v %s", dir, err, entries[dir+"messages.json"])
		}
		tr := entries[dir+"transcript.txt"]
		for _, want := range []string{"Conversation #" + itoa(f.conv.Number), "Zelinda Ruiz:", "  my invoice is wrong\n  second line", "[attachment: invoice.pdf]"} {
			if !strings.Contains(tr, want) {
				t.Errorf("transcript lacks %q:\n%s", want, tr)
			}
		}
		if strings.Index(tr, "my invoice") > strings.Index(tr, "here it is") {
			t.Errorf("transcript out of order:\n%s", tr)
		}
		var merged int
		for name := range entries {
			if strings.HasSuffix(name, "/transcript.txt") {
				merged++
			}
		}
		if merged != 2 {
			t.Errorf("%d transcripts, want 2 (the merged contact's ticket moved over)", merged)
		}
	})
	t.Run("holds the stored files under safe names", func(t *testing.T) {
		path := "files/conversation-" + itoa(f.conv.ID) + "/k1-invoice.pdf"
		if entries[path] != "%PDF-1.7 bytes" {
			t.Errorf("%s = %q; entries %v", path, entries[path], keys(entries))
		}
		for name := range entries {
			if strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
				t.Errorf("unsafe entry name %q", name)
			}
		}
		if !strings.Contains(entries["manifest.json"], `"path": "`+path+`"`) {
			t.Errorf("manifest does not name the file: %s", entries["manifest.json"])
		}
	})
	t.Run("JSON stays the default; others are refused", func(t *testing.T) {
		base := "/api/v1/contacts/" + itoa(f.conv.ContactID) + "/export"
		rec := Do(t, f.Srv, Req{Method: "GET", Path: base, Token: f.admin})
		if x := MustDecode[identity.Export](t, rec); rec.Code != http.StatusOK || x.Format != identity.ExportFormat {
			t.Errorf("default export: %d %s", rec.Code, x.Format)
		}
		if rec := Do(t, f.Srv, Req{Method: "GET", Path: base + "?format=xml", Token: f.admin}); rec.Code != http.StatusBadRequest {
			t.Errorf("format=xml: %d", rec.Code)
		}
		if rec := Do(t, f.Srv, Req{Method: "GET", Path: base + "?format=zip", Token: f.member}); rec.Code != http.StatusForbidden {
			t.Errorf("member zip export: %d", rec.Code)
		}
		if rec := Do(t, f.Srv, Req{Method: "GET", Path: "/api/v1/contacts/999999/export?format=zip", Token: f.admin}); rec.Code != http.StatusNotFound {
			t.Errorf("unknown contact: %d", rec.Code)
		}
	})
}

func TestContactExportZipWithoutFileStore(t *testing.T) {
	f := mustExportFixture(t, nil)
	_, entries := f.exportZip(t)
	var m struct {
		Files []struct{ Key, Path string }
		Notes []string
	}
	if err := json.Unmarshal([]byte(entries["manifest.json"]), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 1 || m.Files[0].Key != "k1" || m.Files[0].Path != "" || len(m.Notes) == 0 {
		t.Errorf("manifest without a file store: %+v", m)
	}
	for name := range entries {
		if strings.HasPrefix(name, "files/") {
			t.Errorf("file bytes %s without a file store", name)
		}
	}
}

func TestContactExportZipNamesUnreadableFiles(t *testing.T) {
	files := &memFiles{files: []httpapi.ContactFile{{Key: "gone", Filename: "lost.png"}}, data: map[string]string{}}
	f := mustExportFixture(t, files)
	_, entries := f.exportZip(t)
	if !strings.Contains(entries["manifest.json"], "gone could not be read") {
		t.Errorf("manifest: %s", entries["manifest.json"])
	}
	if _, ok := entries["files/gone-lost.png"]; ok {
		t.Error("an unreadable file has an entry")
	}

}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// With the server's own file store, the export carries the bytes of the
// files the store lists for the contact.
func TestContactExportZipFromTheFileStore(t *testing.T) {
	disk, err := filestore.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := MustEnv(t, func(c *httpapi.Config) { c.Files = disk })
	admin := e.MustToken(t, e.MustAgent(t, "root@x.test", parley.RoleAdmin))
	conv := e.MustConversation(t, "cust-files")
	ctx := context.Background()
	blob, err := disk.Put(ctx, strings.NewReader("scan of the receipt"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.CreateFile(ctx, &parley.File{Key: blob.Key, Filename: "receipt.pdf", ContentType: "application/pdf",
		Size: blob.Size, SHA256: blob.SHA256, ConversationID: &conv.ID}); err != nil {
		t.Fatal(err)
	}
	f := &exportFixture{Env: e, admin: admin, conv: conv}
	_, entries := f.exportZip(t)
	path := "files/conversation-" + itoa(conv.ID) + "/" + blob.Key + "-receipt.pdf"
	if entries[path] != "scan of the receipt" {
		t.Errorf("%s = %q; entries %v", path, entries[path], keys(entries))
	}
}
