package e2e

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
)

func pngOf(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// get fetches path as the signed-in admin.
func (n *node) get(tb testing.TB, path string) (*http.Response, []byte) {
	tb.Helper()
	resp, err := n.client.Get(n.base + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// upload posts a file to /api/v1/uploads as the admin.
func (n *node) upload(tb testing.TB, filename string, data []byte) parley.Attachment {
	tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", filename)
	part.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", n.base+"/api/v1/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", n.base)
	resp, err := n.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		tb.Fatalf("upload: %d %s", resp.StatusCode, raw)
	}
	var att parley.Attachment
	if err := jsonUnmarshal(raw, &att); err != nil {
		tb.Fatal(err)
	}
	return att
}

// waitAttachment waits until the first attachment of the ticket's first
// message satisfies ok.
func (n *node) waitAttachment(tb testing.TB, convID int64, what string, ok func(parley.Attachment) bool) parley.Attachment {
	tb.Helper()
	var got parley.Attachment
	n.waitFor(tb, what, func() bool {
		msgs := n.messages(tb, convID)
		if len(msgs) == 0 || len(msgs[0].Attachments) == 0 {
			return false
		}
		got = msgs[0].Attachments[0]
		return ok(got)
	})
	return got
}

// TestWhatsAppImageIsCopiedIntoTheStore: a customer's WhatsApp photo
// arrives as a media id; the media worker fetches it from the platform
// after ingestion, and agents then download it from Parley.
func TestWhatsAppImageIsCopiedIntoTheStore(t *testing.T) {
	n := mustStartNode(t)
	const user = "351911111111"
	photo := pngOf(t, 3, 2)
	if _, _, err := n.fake.WhatsAppImage(n.demo.PhoneNumberID, user, "Rui", photo, "image/png", "the broken part"); err != nil {
		t.Fatal(err)
	}
	conv := n.mustTicket(t, parley.PlatformWhatsApp, user)
	att := n.waitAttachment(t, conv.ID, "the photo to be stored", func(a parley.Attachment) bool { return a.StorageKey != "" || a.FetchError != "" })
	if att.FetchError != "" || att.URL != "/api/v1/files/"+att.StorageKey || att.ContentType != "image/png" ||
		att.Size != int64(len(photo)) || att.Caption != "the broken part" || att.PlatformID == "" {
		t.Fatalf("stored attachment = %+v", att)
	}
	resp, body := n.get(t, att.URL)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, photo) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("download: %d %s (%d bytes)", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
}

// TestUnfetchableMediaIsRecorded: an attachment on a host Meta does not
// use is never fetched; the reason is kept on the attachment.
func TestUnfetchableMediaIsRecorded(t *testing.T) {
	n := mustStartNode(t)
	const user = "2470000000000077"
	if _, err := n.fake.MessengerImage(n.demo.PageID, user, "https://evil.example.com/x.png"); err != nil {
		t.Fatal(err)
	}
	conv := n.mustTicket(t, parley.PlatformMessenger, user)
	att := n.waitAttachment(t, conv.ID, "the failure to be recorded", func(a parley.Attachment) bool { return a.StorageKey != "" || a.FetchError != "" })
	if att.StorageKey != "" || !strings.Contains(att.FetchError, "not an allowed") {
		t.Fatalf("attachment = %+v", att)
	}
}

// TestRepliesCarryUploadsBySignedLink: an agent uploads a file and sends
// it; Messenger and WhatsApp receive a signed public link to it, download
// it from Parley (the fake does, as Meta would) and get the same bytes.
func TestRepliesCarryUploadsBySignedLink(t *testing.T) {
	n := mustStartNode(t)
	if _, err := n.fake.MessengerText(n.demo.PageID, "2470000000000088", "Can you send the invoice?"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.fake.WhatsAppText(n.demo.PhoneNumberID, "351922222222", "Ana", "Foto do produto?"); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		platform parley.Platform
		user     string
	}{{parley.PlatformMessenger, "2470000000000088"}, {parley.PlatformWhatsApp, "351922222222"}} {
		t.Run(string(c.platform), func(t *testing.T) {
			conv := n.mustTicket(t, c.platform, c.user)
			data := pngOf(t, 4+i, 4)
			att := n.upload(t, "product.png", data)
			m := n.reply(t, conv.ID, map[string]any{"attachments": []parley.Attachment{att}})
			n.waitStatus(t, conv.ID, m.ID, parley.MessageRead)
			var fetched bool
			for _, f := range n.fake.FetchedMedia() {
				if strings.HasPrefix(f.URL, n.base+"/files/"+att.StorageKey+"?exp=") && strings.Contains(f.URL, "&sig=") &&
					bytes.Equal(f.Data, data) && f.ContentType == "image/png" {
					fetched = true
				}
			}
			if !fetched {
				t.Fatalf("the platform did not download the upload by a signed link: %+v", n.fake.FetchedMedia())
			}
		})
	}
	t.Run("an unsigned link is refused", func(t *testing.T) {
		att := n.upload(t, "x.png", pngOf(t, 1, 1))
		resp, err := http.Get(n.base + "/files/" + att.StorageKey)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("unsigned public link: %d", resp.StatusCode)
		}
	})
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }
