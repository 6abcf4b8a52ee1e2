package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// photoPNG is the customer's photo: a 240×160 gradient.
func photoPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 240, 160))
	for y := range 160 {
		for x := range 240 {
			img.Set(x, y, color.RGBA{uint8(80 + x/3), uint8(120 + y/2), 200, 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// mediaServer serves the files customers send by URL.
func mediaServer(t *testing.T) *httptest.Server {
	t.Helper()
	photo := photoPNG()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch filepath.Ext(r.URL.Path) {
		case ".png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(photo)
		case ".pdf":
			w.Header().Set("Content-Type", "application/pdf")
			_, _ = w.Write([]byte("%PDF-1.4\n%%EOF\n"))
		default:
			w.Header().Set("Content-Type", "audio/mpeg")
			_, _ = w.Write(bytes.Repeat([]byte{0}, 512))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAttachments covers files in both directions: what a customer sent shown
// in the thread (thumbnail and lightbox, player, file chip), and the
// composer's check of the channel's rules before anything is uploaded, in
// English and Chinese.
func TestAttachments(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	media := mediaServer(t)
	n.MustPostInbound(t, []InboundMessage{{
		ID: "a-1", Contact: contact("cust-a", "Nora Quinn", "nora@example.com"), Text: "Here is the damaged parcel and my receipt.", Timestamp: ago(time.Minute),
		Attachments: []map[string]string{
			{"type": "image", "url": media.URL + "/parcel.png", "content_type": "image/png", "filename": "parcel.png"},
			{"type": "audio", "url": media.URL + "/voice.mp3", "content_type": "audio/mpeg", "filename": "voice.mp3"},
			{"type": "file", "url": media.URL + "/receipt.pdf", "content_type": "application/pdf", "filename": "receipt.pdf"},
		},
	}}, nil)
	conv := n.MustWaitConversations(t, 1)[0]
	ctx := MustBrowser(t, 1280, 720)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)

	t.Run("customer_files_are_previewed", func(t *testing.T) {
		run(t, ctx, "open the ticket",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, conv.ID)),
			chromedp.WaitVisible(chromedp.CSS(`.msg.in .att-image img`)),
			until(`document.querySelector('.msg.in .att-image img').naturalWidth === 240`),
			chromedp.WaitVisible(chromedp.CSS(`.msg.in audio.att-audio`)),
			chromedp.WaitVisible(xpathText("span[contains(@class,'att-file')]", "receipt.pdf")),
		)
		// Files come with "CSP: sandbox", which Chrome's PDF viewer may refuse inline: Download must not depend on it.
		chip := get(t, ctx, "file chip", chromedp.Evaluate[map[string]any](`(() => {
		  const chip = [...document.querySelectorAll('.msg.in .att-file')].find((e) => e.textContent.includes('receipt.pdf'));
		  const open = chip.querySelector('a.att-open'), dl = chip.querySelector('a.att-download');
		  return {openTarget: open && open.target, openDownload: open && open.hasAttribute('download'), download: dl && dl.getAttribute('download'),
		    label: dl && dl.getAttribute('aria-label'), same: !!(open && dl && open.href === dl.href)};
		})()`))
		if chip["openTarget"] != "_blank" || chip["openDownload"] != false || chip["download"] != "receipt.pdf" || chip["label"] != "Download receipt.pdf" || chip["same"] != true {
			t.Errorf("file chip = %v, want Open in a new tab and a Download link saving receipt.pdf", chip)
		}
		run(t, ctx, "lightbox opens and closes",
			chromedp.Click(chromedp.CSS(`.msg.in .att-image`)),
			chromedp.WaitVisible(chromedp.CSS(`.modal .lightbox img`)),
		)
		screenshot(t, ctx, "attachment-lightbox")
		run(t, ctx, "close lightbox", chromedp.KeyEvent("\x1b"), until(`!document.querySelector('.lightbox')`))
	})

	t.Run("reply_with_a_file_uploads_then_sends", func(t *testing.T) {
		photo := filepath.Join(t.TempDir(), "replacement-label.png")
		if err := os.WriteFile(photo, photoPNG(), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, ctx, "attach, upload, send",
			chromedp.WaitVisible(chromedp.CSS(`.attach-btn`)),
			chromedp.SetUploadFiles(chromedp.CSS(`.attach-input`), []string{photo}),
			chromedp.WaitVisible(chromedp.CSS(`.file-chip[data-state=done] img`)),
			chromedp.SendKeys(chromedp.CSS(`#composer-text`), "Here is your new shipping label."),
			chromedp.Click(chromedp.CSS(`.composer-foot .btn.primary`)),
			chromedp.WaitVisible(chromedp.CSS(`.msg.out .att-image img`)),
			until(`document.querySelector('.msg.out .att-image img').naturalWidth === 240`),
			until(`!document.querySelector('.file-chip')`),
		)
		var page struct {
			Items []struct {
				Direction   string `json:"direction"`
				Attachments []struct {
					StorageKey string `json:"storage_key"`
					Filename   string `json:"filename"`
					Size       int64  `json:"size"`
				} `json:"attachments"`
			}
		}
		n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), nil, &page)
		last := page.Items[len(page.Items)-1]
		if last.Direction != "out" || len(last.Attachments) != 1 || last.Attachments[0].StorageKey == "" ||
			last.Attachments[0].Filename != "replacement-label.png" || last.Attachments[0].Size != int64(len(photoPNG())) {
			t.Fatalf("sent message: %+v", last)
		}
		screenshot(t, ctx, "attachments")
	})

	t.Run("drop_and_paste_attach_too", func(t *testing.T) {
		// A file made in the page: drag-and-drop and paste hand the composer a File like the OS would.
		const file = `new File([new Uint8Array([37, 80, 68, 70, 45, 49, 46, 52, 10])], 'NAME', {type: 'application/pdf'})`
		drop := `(() => { const dt = new DataTransfer(); dt.items.add(` + strings.ReplaceAll(file, "NAME", "dropped.pdf") + `);
		  const el = document.querySelector('.composer');
		  el.dispatchEvent(new DragEvent('dragenter', {dataTransfer: dt, bubbles: true, cancelable: true}));
		  el.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true})); })()`
		paste := `(() => { const dt = new DataTransfer(); dt.items.add(` + strings.ReplaceAll(file, "NAME", "pasted.pdf") + `);
		  document.querySelector('#composer-text').dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true})); })()`
		run(t, ctx, "drop a file, paste another",
			eval(drop),
			chromedp.WaitVisible(xpathText("li[@data-state='done']", "dropped.pdf")),
			eval(paste),
			chromedp.WaitVisible(xpathText("li[@data-state='done']", "pasted.pdf")),
			until(`!document.querySelector('.drop-hint')`),
		)
		run(t, ctx, "remove both",
			chromedp.Click(xpathText("li", "dropped.pdf")+`//button`),
			chromedp.Click(xpathText("li", "pasted.pdf")+`//button`),
			until(`!document.querySelector('.file-chip')`),
		)
	})

	big := filepath.Join(t.TempDir(), "site-video.mov")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 26<<20); err != nil { // over the API channel's 25 MB
		t.Fatal(err)
	}

	refused := func(t *testing.T, want string) {
		run(t, ctx, "pick a file too large for the channel",
			chromedp.WaitVisible(chromedp.CSS(`.attach-btn`)),
			chromedp.SetUploadFiles(chromedp.CSS(`.attach-input`), []string{big}),
			chromedp.WaitVisible(chromedp.CSS(`.file-chip.refused`)),
		)
		msg := get(t, ctx, "refusal", chromedp.Text(chromedp.CSS(`.file-chip.refused .file-chip-error`)))
		rules := get(t, ctx, "rules", chromedp.Text(chromedp.CSS(`.upload-rules`)))
		sendDisabled := get(t, ctx, "send", chromedp.Evaluate[bool](`document.querySelector('.composer-foot .btn.primary').disabled`))
		if msg != want || rules == "" || !sendDisabled {
			t.Errorf("refusal %q (want %q), rules %q, send disabled %v", msg, want, rules, sendDisabled)
		}
	}

	t.Run("too_large_for_the_channel_is_refused_before_upload", func(t *testing.T) {
		refused(t, "Too large for API: at most 25 MB.")
		screenshot(t, ctx, "composer-attachment-refused")
		assertNamedControls(t, ctx, "composer with a file")
		run(t, ctx, "remove it", chromedp.Click(chromedp.CSS(`.file-chip button`)), until(`!document.querySelector('.file-chip')`))
	})

	t.Run("refusal_in_chinese", func(t *testing.T) {
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
		defer n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en"}, nil)
		run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#composer-text`)))
		refused(t, "对 API 来说太大：最大 25 MB。")
		label := get(t, ctx, "download label", chromedp.Evaluate[string](`[...document.querySelectorAll('.msg.in a.att-download')].map((a) => a.getAttribute('aria-label')).join('|')`))
		if label != "下载 receipt.pdf" {
			t.Errorf("download link in Chinese = %q", label)
		}
	})
}
