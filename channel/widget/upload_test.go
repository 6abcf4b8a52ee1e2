package widget_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

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
		id := mustUpload(t, e, e.Channel, s.Token, "shot.png", pngBytes(), http.StatusCreated)
		v := e.MustConnect(t, e.Channel, s.Token, 0)
		v.MustFrame(t, "caught_up", isType("caught_up"))
		v.send(t, map[string]any{"type": "message", "client_id": "with-file1", "files": []string{id}})
		echo := v.MustFrame(t, "echo", func(f frame) bool { return f.Type == "message" && f.Message.ClientID == "with-file1" })
		if len(echo.Message.Attachments) != 1 || echo.Message.Attachments[0].Type != "image" || echo.Message.Attachments[0].Filename != "shot.png" {
			t.Fatalf("attachments %+v", echo.Message.Attachments)
		}
		res, err := http.Get(e.Server.URL + echo.Message.Attachments[0].URL)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !bytes.Equal(got, pngBytes()) || res.Header.Get("Content-Type") != "image/png" ||
			!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("served %d bytes, headers %v", len(got), res.Header)
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
