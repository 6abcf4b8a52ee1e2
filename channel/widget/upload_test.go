package widget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/widget"
)

func pngBytes() []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	return buf.Bytes()
}

// mustUpload posts one file and checks the status; it returns the id.
func mustUpload(tb testing.TB, e *env, ch *parley.Channel, token, name string, data []byte, want int) string {
	tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.Server.URL+"/widget/v1/channels/"+itoa(ch.ID)+"/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		tb.Fatalf("upload %s: status %d %s, want %d", name, res.StatusCode, raw, want)
	}
	var out struct{ ID string }
	json.Unmarshal(raw, &out)
	return out.ID
}

func TestUpload(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, map[string]string{widget.ConfigUploadMax: "2048"})
	s := e.MustSession(t, e.Channel, nil)

	t.Run("an image is stored, sent as an attachment and served sandboxed", func(t *testing.T) {
		key := mustUpload(t, e, e.Channel, s.Token, "shot.png", pngBytes(), http.StatusCreated)
		v := e.MustConnect(t, e.Channel, s.Token, 0)
		v.MustFrame(t, "caught_up", isType("caught_up"))
		v.send(t, map[string]any{"type": "message", "client_id": "with-file1", "files": []string{key}})
		echo := v.MustFrame(t, "echo", func(f frame) bool { return f.Type == "message" && f.Message.ClientID == "with-file1" })
		atts := echo.Message.Attachments
		if len(atts) != 1 || atts[0].Type != "image" || atts[0].Filename != "shot.png" || atts[0].URL != "https://signed.example/files/"+key+"?sig=x" {
			t.Fatalf("attachments %+v", atts)
		}
		res := fetchFile(t, e, e.Channel, s.Token, key)
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !bytes.Equal(got, pngBytes()) || res.Header.Get("Content-Type") != "image/png" ||
			!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("served %d: %d bytes, headers %v", res.StatusCode, len(got), res.Header)
		}
	})

	t.Run("the upload is the visitor's contact's file in the attachment store, bound to its message once sent", func(t *testing.T) {
		key := mustUpload(t, e, e.Channel, s.Token, "receipt.png", pngBytes(), http.StatusCreated)
		f, err := e.Store.FindFileByKey(context.Background(), key)
		if err != nil || f.ContactID == nil || f.AgentID != nil || f.MessageID != nil || f.ContentType != "image/png" || f.Size != int64(len(pngBytes())) {
			t.Fatalf("record %+v, %v", f, err)
		}
		rc, err := e.Files.Open(context.Background(), key)
		if err != nil {
			t.Fatalf("bytes: %v", err)
		}
		rc.Close()
		v := e.MustConnect(t, e.Channel, s.Token, 0)
		v.MustFrame(t, "caught_up", isType("caught_up"))
		v.send(t, map[string]any{"type": "message", "client_id": "with-file2", "files": []string{key}})
		echo := v.MustFrame(t, "echo", func(f frame) bool { return f.Type == "message" && f.Message.ClientID == "with-file2" })
		stored, err := e.Store.FindMessageByID(context.Background(), echo.Message.ID)
		if err != nil || len(stored.Attachments) != 1 || stored.Attachments[0].StorageKey != key || stored.Attachments[0].URL != parley.FilesPath+key {
			t.Fatalf("stored message %+v, %v", stored, err)
		}
		f = eventuallyBound(t, e, key)
		if *f.MessageID != echo.Message.ID || f.ConversationID == nil || *f.ConversationID != echo.Message.ConversationID {
			t.Fatalf("bound to %+v, want message %d", f, echo.Message.ID)
		}
	})

	t.Run("the type is sniffed from the bytes: HTML named .png is refused", func(t *testing.T) {
		mustUpload(t, e, e.Channel, s.Token, "evil.png", []byte("<!doctype html><script>alert(1)</script>"), http.StatusBadRequest)
	})

	t.Run("files over the channel's limit are refused", func(t *testing.T) {
		big := append(pngBytes(), make([]byte, 4096)...)
		mustUpload(t, e, e.Channel, s.Token, "big.png", big, http.StatusRequestEntityTooLarge)
	})

	t.Run("uploads need a valid visitor token", func(t *testing.T) {
		mustUpload(t, e, e.Channel, "forged", "x.png", pngBytes(), http.StatusUnauthorized)
	})
}

// fetchFile GETs a stored file through the visitor-authorised path.
func fetchFile(tb testing.TB, e *env, ch *parley.Channel, token, key string) *http.Response {
	tb.Helper()
	req, _ := http.NewRequest("GET", e.Server.URL+"/widget/v1/channels/"+itoa(ch.ID)+"/files/"+key, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func fetchStatus(tb testing.TB, e *env, ch *parley.Channel, token, key string) int {
	tb.Helper()
	res := fetchFile(tb, e, ch, token, key)
	res.Body.Close()
	return res.StatusCode
}

// eventuallyBound waits until the media worker bound file key to its
// message.
func eventuallyBound(tb testing.TB, e *env, key string) *parley.File {
	tb.Helper()
	for range 400 {
		f, err := e.Store.FindFileByKey(context.Background(), key)
		if err != nil {
			tb.Fatal(err)
		}
		if f.MessageID != nil {
			return f
		}
		time.Sleep(25 * time.Millisecond)
	}
	tb.Fatalf("file %s never bound to its message", key)
	return nil
}
