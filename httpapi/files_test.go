package httpapi_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/filestore"
	"github.com/parleyhq/parley/httpapi"
)

// filesEnv is an Env with a disk file store under dir.
type filesEnv struct {
	*Env
	dir    string
	signer *filestore.Signer
}

func mustFilesEnv(t *testing.T, maxUpload int64) *filesEnv {
	t.Helper()
	dir := t.TempDir()
	disk, err := filestore.OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	signer := filestore.NewSigner(make([]byte, 32), "https://help.example.com")
	env := MustEnv(t, func(c *httpapi.Config) {
		c.Files, c.FileURLs, c.MaxUploadBytes = disk, signer, maxUpload
	})
	return &filesEnv{Env: env, dir: dir, signer: signer}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts data as the multipart field "file", claiming claimedType.
func upload(t *testing.T, h http.Handler, token, filename, claimedType string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	hdr := make(map[string][]string)
	hdr["Content-Disposition"] = []string{`form-data; name="file"; filename="` + filename + `"`}
	hdr["Content-Type"] = []string{claimedType}
	part, err := mw.CreatePart(hdr)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	mw.Close()
	return Do(t, h, Req{Method: "POST", Path: "/api/v1/uploads", Body: body.Bytes(), Token: token,
		Header: http.Header{"Content-Type": {mw.FormDataContentType()}}})
}

func mustUpload(t *testing.T, h http.Handler, token, filename, claimedType string, data []byte) parley.Attachment {
	t.Helper()
	rec := upload(t, h, token, filename, claimedType, data)
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	return MustDecode[parley.Attachment](t, rec)
}

func TestUploadSniffsTheTypeAndServesItToItsOwner(t *testing.T) {
	e := mustFilesEnv(t, 0)
	ana := e.MustToken(t, e.MustAgent(t, "ana@example.com", parley.RoleAgent))
	data := pngBytes(t)
	att := mustUpload(t, e.Srv, ana, "holiday photo.png", "application/x-whatever", data)
	if att.Type != "image" || att.ContentType != "image/png" || att.Filename != "holiday photo.png" || att.Size != int64(len(data)) ||
		!filestore.ValidKey(att.StorageKey) || att.URL != "/api/v1/files/"+att.StorageKey {
		t.Fatalf("attachment = %+v", att)
	}
	rec := Do(t, e.Srv, Req{Method: "GET", Path: att.URL, Token: ana})
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), data) {
		t.Fatalf("download: %d (%d bytes)", rec.Code, rec.Body.Len())
	}
	h := rec.Result().Header
	for name, want := range map[string]string{
		"Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": `inline; filename="holiday photo.png"`,
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("CSP = %q", csp)
	}
	if cc := h.Get("Cache-Control"); !strings.Contains(cc, "private") || !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control = %q", cc)
	}
}

func TestUploadedPagesAreOnlyDownloaded(t *testing.T) {
	e := mustFilesEnv(t, 0)
	ana := e.MustToken(t, e.MustAgent(t, "ana@example.com", parley.RoleAgent))
	att := mustUpload(t, e.Srv, ana, "cat.png", "image/png", []byte("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"))
	if att.Type != "file" || !strings.HasPrefix(att.ContentType, "text/html") {
		t.Fatalf("a page claimed to be a PNG was stored as %+v", att)
	}
	rec := Do(t, e.Srv, Req{Method: "GET", Path: att.URL, Token: ana})
	h := rec.Result().Header
	if rec.Code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("HTML served as %d %v", rec.Code, h)
	}
}

func TestUploadLimits(t *testing.T) {
	e := mustFilesEnv(t, 1000)
	ana := e.MustToken(t, e.MustAgent(t, "ana@example.com", parley.RoleAgent))
	t.Run("over the limit is 413", func(t *testing.T) {
		rec := upload(t, e.Srv, ana, "big.bin", "application/octet-stream", bytes.Repeat([]byte{1}, 1001))
		if rec.Code != http.StatusRequestEntityTooLarge || ErrorCodeOf(t, rec) != parley.ETOOLARGE {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("far over the limit is 413 before reading", func(t *testing.T) {
		rec := upload(t, e.Srv, ana, "big.bin", "application/octet-stream", bytes.Repeat([]byte{1}, 200<<10))
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("nothing is left on disk", func(t *testing.T) {
		filepath.WalkDir(e.dir, func(p string, d os.DirEntry, _ error) error {
			if !d.IsDir() {
				t.Errorf("left behind: %s", p)
			}
			return nil
		})
	})
	t.Run("at the limit is fine", func(t *testing.T) {
		mustUpload(t, e.Srv, ana, "ok.bin", "application/octet-stream", bytes.Repeat([]byte{1}, 1000))
	})
	t.Run("no file field is 400", func(t *testing.T) {
		rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/uploads", Token: ana, Body: "--x--\r\n",
			Header: http.Header{"Content-Type": {"multipart/form-data; boundary=x"}}})
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("without sign-in is 401", func(t *testing.T) {
		if rec := upload(t, e.Srv, "", "a.png", "image/png", pngBytes(t)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("got %d", rec.Code)
		}
	})
}

func TestFilesAreReadOnlyByWhoMaySeeThem(t *testing.T) {
	ctx := context.Background()
	e := mustFilesEnv(t, 0)
	anaAgent := e.MustAgent(t, "ana@example.com", parley.RoleAgent)
	ana := e.MustToken(t, anaAgent)
	bo := e.MustToken(t, e.MustAgent(t, "bo@example.com", parley.RoleAgent))
	admin := e.MustToken(t, e.MustAgent(t, "root@example.com", parley.RoleAdmin))
	team := &parley.Team{Name: "VIP"}
	if err := e.Store.CreateTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	cleo := e.MustToken(t, e.MustAgent(t, "cleo@example.com", parley.RoleAgent, team.ID))
	conv := e.MustConversation(t, "cust-1")
	att := mustUpload(t, e.Srv, ana, "a.png", "image/png", pngBytes(t))
	get := func(token, path string) int { return Do(t, e.Srv, Req{Method: "GET", Path: path, Token: token}).Code }

	if code := get(bo, att.URL); code != http.StatusNotFound {
		t.Fatalf("another agent read an unsent upload: %d", code)
	}
	if code := get(admin, att.URL); code != http.StatusNotFound {
		t.Fatalf("an admin read someone's unsent upload: %d", code)
	}
	if code := get(ana, "/api/v1/files/"+filestore.NewKey()); code != http.StatusNotFound {
		t.Fatalf("unknown key: %d", code)
	}
	if code := get(ana, "/api/v1/files/..%2f..%2fp.db"); code != http.StatusNotFound {
		t.Fatalf("path in key: %d", code)
	}

	reply := func(token string, c *parley.Conversation, a parley.Attachment) *httptest.ResponseRecorder {
		return Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/conversations/" + itoa(c.ID) + "/messages", Token: token,
			Body: map[string]any{"body": "", "attachments": []parley.Attachment{a}}})
	}
	t.Run("forged and foreign keys are refused", func(t *testing.T) {
		forged := att
		forged.StorageKey = filestore.NewKey()
		if rec := reply(ana, conv, forged); rec.Code != http.StatusBadRequest || ErrorCodeOf(t, rec) != parley.EINVALID {
			t.Fatalf("forged key: %d %s", rec.Code, rec.Body)
		}
		if rec := reply(bo, conv, att); rec.Code != http.StatusBadRequest {
			t.Fatalf("someone else's upload: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("a reply binds the file to its ticket", func(t *testing.T) {
		lying := att
		lying.ContentType, lying.Size, lying.URL = "text/html", 1, "https://evil.example/x"
		rec := reply(ana, conv, lying)
		if rec.Code != http.StatusCreated {
			t.Fatalf("reply: %d %s", rec.Code, rec.Body)
		}
		m := MustDecode[parley.Message](t, rec)
		if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "image/png" || m.Attachments[0].URL != att.URL || m.Attachments[0].Size != att.Size {
			t.Fatalf("the client's description was kept: %+v", m.Attachments)
		}
		if code := get(bo, att.URL); code != http.StatusOK {
			t.Fatalf("an agent who sees the ticket cannot read its file: %d", code)
		}
	})
	t.Run("agents who cannot see the ticket cannot read its files", func(t *testing.T) {
		c, err := e.Store.FindConversationByID(ctx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Store.UpdateConversation(ctx, c.ID, parley.ConversationUpdate{Version: c.Version, TeamID: &team.ID}); err != nil {
			t.Fatal(err)
		}
		if code := get(bo, att.URL); code != http.StatusNotFound {
			t.Fatalf("agent outside the team: %d", code)
		}
		if code := get(cleo, att.URL); code != http.StatusOK {
			t.Fatalf("agent of the team: %d", code)
		}
	})
}

func TestSignedPublicFileLinks(t *testing.T) {
	e := mustFilesEnv(t, 0)
	ana := e.MustToken(t, e.MustAgent(t, "ana@example.com", parley.RoleAgent))
	att := mustUpload(t, e.Srv, ana, "a.png", "image/png", pngBytes(t))
	link, err := url.Parse(e.signer.URL(att.StorageKey, e.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if rec := Do(t, e.Srv, Req{Method: "GET", Path: link.RequestURI()}); rec.Code != http.StatusOK || rec.Result().Header.Get("Content-Type") != "image/png" {
		t.Fatalf("signed link: %d %s", rec.Code, rec.Body)
	}
	q := link.Query()
	q.Set("sig", strings.Repeat("0", 64))
	if rec := Do(t, e.Srv, Req{Method: "GET", Path: link.Path + "?" + q.Encode()}); rec.Code != http.StatusForbidden {
		t.Fatalf("forged signature: %d", rec.Code)
	}
	if rec := Do(t, e.Srv, Req{Method: "GET", Path: link.Path}); rec.Code != http.StatusForbidden {
		t.Fatalf("no signature: %d", rec.Code)
	}
	e.Clock.Advance(filestore.DefaultURLLifetime + time.Hour + time.Second)
	if rec := Do(t, e.Srv, Req{Method: "GET", Path: link.RequestURI()}); rec.Code != http.StatusForbidden {
		t.Fatalf("expired link: %d", rec.Code)
	}
}

func TestErasureDeletesFilesFromDiskAndDatabase(t *testing.T) {
	ctx := context.Background()
	e := mustFilesEnv(t, 0)
	ana := e.MustToken(t, e.MustAgent(t, "ana@example.com", parley.RoleAgent))
	admin := e.MustToken(t, e.MustAgent(t, "root@example.com", parley.RoleAdmin))
	conv := e.MustConversation(t, "cust-erase")
	kept := e.MustConversation(t, "cust-kept")
	att := mustUpload(t, e.Srv, ana, "a.png", "image/png", pngBytes(t))
	other := mustUpload(t, e.Srv, ana, "b.png", "image/png", pngBytes(t))
	for c, a := range map[*parley.Conversation]parley.Attachment{conv: att, kept: other} {
		rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/conversations/" + itoa(c.ID) + "/messages", Token: ana,
			Body: map[string]any{"attachments": []parley.Attachment{a}}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("reply: %d %s", rec.Code, rec.Body)
		}
	}
	rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/contacts/" + itoa(conv.ContactID) + "/erase", Token: admin, Body: map[string]bool{"confirm": true}})
	if rec.Code != http.StatusOK {
		t.Fatalf("erase: %d %s", rec.Code, rec.Body)
	}
	blob := filepath.Join(e.dir, att.StorageKey[:2], att.StorageKey)
	if _, err := os.Stat(blob); !os.IsNotExist(err) {
		t.Fatalf("the erased contact's file is still on disk: %v", err)
	}
	if _, err := e.Store.FindFileByKey(ctx, att.StorageKey); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("the erased contact's file is still recorded: %v", err)
	}
	if code := Do(t, e.Srv, Req{Method: "GET", Path: other.URL, Token: ana}).Code; code != http.StatusOK {
		t.Fatalf("another contact's file went too: %d", code)
	}
}

func TestUploadTypeComesFromTheBytes(t *testing.T) {
	e := mustFilesEnv(t, 0)
	ana := e.MustToken(t, e.MustAgent(t, "ana@example.com", parley.RoleAgent))
	doc := mustUpload(t, e.Srv, ana, "offer.docx", "application/octet-stream", []byte("PK\x03\x04 a zipped document"))
	if doc.Type != "file" || doc.ContentType != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
		t.Fatalf("docx stored as %+v", doc)
	}
	fake := mustUpload(t, e.Srv, ana, "photo.png", "image/png", []byte("plain words, no picture"))
	if fake.Type != "file" || !strings.HasPrefix(fake.ContentType, "text/plain") {
		t.Fatalf("text named .png stored as %+v", fake)
	}
	if rec := upload(t, e.Srv, ana, "empty.txt", "text/plain", nil); rec.Code != http.StatusBadRequest {
		t.Fatalf("empty upload: %d %s", rec.Code, rec.Body)
	}
}
