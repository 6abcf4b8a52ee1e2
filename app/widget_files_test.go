package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/channel/widget"
	"github.com/parleyhq/parley/store/storetest"
)

// TestWidgetUploadsLiveInTheFileStore: a file a website visitor sends is
// shown to the agent at the agents' address, is in the contact's export,
// and erasing the contact deletes it from disk and database — on both
// engines.
func TestWidgetUploadsLiveInTheFileStore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testWidgetUploads(t, "") })
	t.Run("postgres", func(t *testing.T) { testWidgetUploads(t, storetest.PostgresSchemas(t)(t)) })
}

func testWidgetUploads(t *testing.T, database string) {
	natsURL := bustest.MustRunServer(t)
	a := mustNewAppWith(t, func(c *app.Config) { c.Database, c.NATS, c.NATSPrefix = database, natsURL, bustest.UniquePrefix(t) }, nil)
	c := mustSignIn(t, a)
	var ch parley.Channel
	c.do("POST", "/api/v1/channels", map[string]any{"platform": "widget", "name": "Site",
		"config": map[string]string{widget.ConfigUploadMax: "100000"}, "secrets": map[string]string{widget.SecretIdentity: "0123456789abcdef0123"}}, &ch)
	base := "http://" + a.Addr()
	res, err := http.Post(base+"/widget/v1/channels/"+itoa(ch.ID)+"/session", "application/json", strings.NewReader(`{"name":"Violetta Erasmus"}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("session: %v %v", err, res.StatusCode)
	}
	var s struct{ Token string }
	decode(t, res, &s)
	picture := testPNG()
	up := visitorUpload(t, base, ch.ID, s.Token, "photo.png", picture)
	if !strings.Contains(up.URL, "/files/"+up.ID+"?exp=") {
		t.Fatalf("the visitor's address is not a signed link: %s", up.URL)
	}
	signed, err := url.Parse(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	// The link names the configured public address; this node listens elsewhere.
	if got := get(t, base+signed.RequestURI()); !bytes.Equal(got, picture) {
		t.Fatalf("signed link served %d bytes", len(got))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws://"+a.Addr()+"/widget/v1/channels/"+itoa(ch.ID)+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	conn.Write(ctx, websocket.MessageText, []byte(`{"type":"hello","token":"`+s.Token+`"}`))
	conn.Write(ctx, websocket.MessageText, []byte(`{"type":"message","client_id":"wfile-0001","text":"see my passport scan","files":["`+up.ID+`"]}`))

	var conv *parley.Conversation
	eventually(t, 20*time.Second, "the visitor's ticket", func() bool {
		convs := conversationsOn(c, ch.ID)
		if len(convs) > 0 {
			conv = convs[0]
		}
		return conv != nil
	})
	var att parley.Attachment
	eventually(t, 20*time.Second, "the message with its file", func() bool {
		for _, m := range messagesOf(c, conv.ID) {
			if len(m.Attachments) == 1 {
				att = m.Attachments[0]
			}
		}
		return att.StorageKey != ""
	})
	if att.StorageKey != up.ID || att.URL != parley.FilesPath+up.ID {
		t.Fatalf("agent's attachment %+v, want key %s", att, up.ID)
	}
	if status, got := c.download(att.URL); status != http.StatusOK || !bytes.Equal(got, picture) {
		t.Fatalf("agent download: %d, %d bytes", status, len(got))
	}
	if !zipHolds(t, c, conv.ContactID, picture) {
		t.Fatal("the contact's export lacks the visitor's file")
	}

	if status := c.status("POST", "/api/v1/contacts/"+itoa(conv.ContactID)+"/erase", map[string]any{"confirm": true}); status != http.StatusOK {
		t.Fatalf("erase: %d", status)
	}
	if _, err := a.Store.FindFileByKey(context.Background(), up.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("record after erasure: %v", err)
	}
	if rc, err := a.Files.Open(context.Background(), up.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
		if rc != nil {
			rc.Close()
		}
		t.Errorf("bytes after erasure: %v", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(a.Config.DataDir, "files", "*", up.ID)); len(matches) != 0 {
		t.Errorf("still on disk: %v", matches)
	}
	onBus := bytes.Join(bustest.MustStoredMessages(t, natsURL, a.Bus.StreamNames()), []byte{0})
	for _, pii := range []string{"Violetta Erasmus", "see my passport scan", up.ID} {
		if bytes.Contains(onBus, []byte(pii)) {
			t.Errorf("the event bus still holds %q after erasure", pii)
		}
	}
}

type visitorUploadResp struct{ ID, URL string }

func visitorUpload(t *testing.T, base string, channelID int64, token, name string, data []byte) visitorUploadResp {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/widget/v1/channels/"+itoa(channelID)+"/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out visitorUploadResp
	if res.StatusCode != http.StatusCreated || json.Unmarshal(raw, &out) != nil {
		t.Fatalf("visitor upload: %d %s", res.StatusCode, raw)
	}
	return out
}

func get(t *testing.T, addr string) []byte {
	t.Helper()
	res, err := http.Get(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", addr, res.StatusCode, b)
	}
	return b
}

// zipHolds reports whether the contact's ZIP export has a file with data.
func zipHolds(t *testing.T, c *agentClient, contactID int64, data []byte) bool {
	t.Helper()
	status, raw := c.download("/api/v1/contacts/" + itoa(contactID) + "/export?format=zip")
	if status != http.StatusOK {
		t.Fatalf("export: %d %s", status, raw)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "files/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Equal(got, data) {
			return true
		}
	}
	return false
}

func testPNG() []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 3, 3)))
	return buf.Bytes()
}

// TestLegacyWidgetUploadsMovedAtStartup: the node moves the widget's
// uploads from before the file store when it starts; one that no message
// carries (never sent, or its contact erased) is deleted.
func TestLegacyWidgetUploadsMovedAtStartup(t *testing.T) {
	dir := t.TempDir()
	legacy := filepath.Join(dir, "files", "widget")
	id := "0123456789abcdef0123456789abcdef"
	if err := os.MkdirAll(legacy, 0o750); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(legacy, id), testPNG(), 0o640)
	os.WriteFile(filepath.Join(legacy, id+".json"), []byte(`{"contact_id":7,"filename":"x.png","content_type":"image/png","size":10}`), 0o640)
	mustNewAppWith(t, func(c *app.Config) { c.DataDir = dir }, nil)
	for _, p := range []string{id, id + ".json"} {
		if _, err := os.Stat(filepath.Join(legacy, p)); !os.IsNotExist(err) {
			t.Errorf("%s still there: %v", p, err)
		}
	}
}
