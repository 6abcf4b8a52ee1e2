package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// customerMail is a reply with a signature, the quoted history below it,
// a Cc, and an HTML part that tries a script and a tracking pixel.
func customerMail(pixel string) string {
	return strings.ReplaceAll(`From: Lena Fischer <lena@customer.example>
To: support@example.com
Cc: Max Fischer <max@customer.example>
Subject: Broken zipper on order 7781
Message-ID: <mail-7781@customer.example>
Date: `+time.Now().Add(-10*time.Minute).Format(time.RFC1123Z)+`
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello,

the zipper of my jacket broke after two days.

--=20
Lena Fischer
Berlin

On Mon, 16 Nov 2026 at 10:00, Support <support@example.com> wrote:
> Thanks for your order 7781.
> It ships tomorrow.
--b1
Content-Type: text/html; charset=utf-8

<p>Hello,</p><p>the zipper of my <b>jacket</b> broke after two days.</p><img src="`+pixel+`/open.gif" width="1" height="1"><script>parent.document.title = "scripted"</script>
--b1--
`, "\n", "\r\n")
}

// inlineImageMail is an HTML-only mail whose picture travels inside it (cid:).
func inlineImageMail() string {
	return strings.ReplaceAll(`From: Omar Haddad <omar@customer.example>
To: support@example.com
Subject: The scratch on the lid
Message-ID: <mail-lid@customer.example>
MIME-Version: 1.0
Content-Type: multipart/related; boundary="r1"

--r1
Content-Type: text/html; charset=utf-8

<p>The lid arrived scratched, see:</p><img src="cid:lid@customer.example" alt="the lid">
--r1
Content-Type: image/png
Content-ID: <lid@customer.example>
Content-Disposition: inline; filename="lid.png"
Content-Transfer-Encoding: base64

`+base64.StdEncoding.EncodeToString(photoPNG())+`
--r1--
`, "\n", "\r\n")
}

// TestEmailInTheThread receives a mail by SMTP and reads it in the thread:
// the new text by default, the subject and Cc above it, the quoted history,
// signature and original behind toggles, the HTML in a sandbox that runs no
// script and loads no remote image unless asked; in English and Chinese.
func TestEmailInTheThread(t *testing.T) {
	n := MustStartNode(t, true, "--smtp-addr", "127.0.0.1:0")
	n.MustSeed(t)
	var pixelHits atomic.Int64
	pixel := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pixelHits.Add(1)
		w.Header().Set("Content-Type", "image/gif")
		_, _ = w.Write([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	}))
	t.Cleanup(pixel.Close)
	ch := &parley.Channel{Platform: parley.PlatformEmail, Name: "Support mailbox", Status: parley.ChannelActive,
		Config: map[string]string{"from_address": "support@example.com", "smtp_host": "127.0.0.1", "smtp_port": "1"}}
	if err := n.App.Store.CreateChannel(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(n.App.SMTPAddr(), nil, "lena@customer.example", []string{"support@example.com"}, []byte(customerMail(pixel.URL))); err != nil {
		t.Fatalf("sending the mail: %v", err)
	}
	conv := n.MustWaitConversations(t, 1)[0]
	var page struct{ Items []*parley.Message }
	n.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), nil, &page)
	if len(page.Items) != 1 {
		t.Fatalf("thread has %d messages", len(page.Items))
	}
	mail := page.Items[0]
	md := mail.Metadata
	if md["email_quoted"] == "" || md["email_signature"] == "" || md["email_html"] == "" || md["email_full_text"] == "" {
		t.Fatalf("the mail was not folded as expected: %q", md)
	}

	ctx := MustBrowser(t, 1280, 900)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	msg := fmt.Sprintf(`.msg[data-message="%d"]`, mail.ID)
	text := func(sel string) string {
		return get(t, ctx, "text of "+sel, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel)))
	}

	t.Run("visible_text_first_with_subject_and_cc", func(t *testing.T) {
		run(t, ctx, "open the mail",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, conv.ID)),
			chromedp.WaitVisible(chromedp.CSS(msg+` .msg-text`)),
		)
		bubble := text(msg + " .bubble")
		if !strings.Contains(bubble, "zipper of my jacket broke") || strings.Contains(bubble, "It ships tomorrow") || strings.Contains(bubble, "Berlin") {
			t.Errorf("bubble shows more than the new text:\n%s", bubble)
		}
		head := text(msg + " .mail-head")
		if !strings.Contains(head, "Subject: Broken zipper on order 7781") || !strings.Contains(head, "Cc: max@customer.example") {
			t.Errorf("mail header = %q", head)
		}
	})

	t.Run("quoted_text_and_signature_unfold", func(t *testing.T) {
		run(t, ctx, "unfold both",
			chromedp.Click(chromedp.CSS(msg+` button[data-part=quoted]`)),
			chromedp.WaitVisible(chromedp.CSS(msg+` .mail-quoted`)),
			chromedp.Click(chromedp.CSS(msg+` button[data-part=signature]`)),
			chromedp.WaitVisible(chromedp.CSS(msg+` .mail-signature`)),
		)
		if got := text(msg + " .mail-quoted"); !strings.Contains(got, "It ships tomorrow") {
			t.Errorf("quoted text = %q", got)
		}
		if got := text(msg + " .mail-signature"); !strings.Contains(got, "Berlin") {
			t.Errorf("signature = %q", got)
		}
		if got := text(msg + ` button[data-part=quoted]`); got != "Hide quoted text" {
			t.Errorf("quoted toggle reads %q once open", got)
		}
		screenshot(t, ctx, "email-thread")
	})

	t.Run("original_in_a_sandbox_without_scripts_or_pixels", func(t *testing.T) {
		run(t, ctx, "view original",
			chromedp.Click(chromedp.CSS(msg+` button[data-part=original]`)),
			chromedp.WaitVisible(chromedp.CSS(msg+` .mail-full`)),
			chromedp.WaitVisible(chromedp.CSS(msg+` .mail-html iframe`)),
		)
		if got := text(msg + " .mail-full"); !strings.Contains(got, "It ships tomorrow") || !strings.Contains(got, "zipper") {
			t.Errorf("full text = %q", got)
		}
		frame := get(t, ctx, "iframe", chromedp.Evaluate[map[string]any](fmt.Sprintf(`(() => { const f = document.querySelector(%q);
		  return {sandbox: f.getAttribute('sandbox'), srcdoc: f.getAttribute('srcdoc') || '', src: f.getAttribute('src')}; })()`, msg+" .mail-html iframe")))
		if frame["sandbox"] != "" || frame["src"] != nil {
			t.Errorf("iframe sandbox=%v src=%v, want sandbox=\"\" and only srcdoc", frame["sandbox"], frame["src"])
		}
		srcdoc, _ := frame["srcdoc"].(string)
		if !strings.Contains(srcdoc, "jacket") || strings.Contains(srcdoc, "<script") || !strings.Contains(srcdoc, "img-src data:\"") {
			t.Errorf("srcdoc = %q", srcdoc)
		}
		time.Sleep(300 * time.Millisecond) // give a pixel or a script, if either could run, the time to
		if title := get(t, ctx, "title", chromedp.Evaluate[string](`document.title`)); title == "scripted" {
			t.Error("the mail's script ran")
		}
		if hits := pixelHits.Load(); hits != 0 {
			t.Errorf("the tracking pixel was fetched %d times", hits)
		}
		assertNamedControls(t, ctx, "e-mail thread")
	})

	t.Run("remote_images_load_only_when_asked", func(t *testing.T) {
		// HTML that still names a remote image (the server blanks them; this is the page's own layer).
		old := &parley.Message{ConversationID: conv.ID, Direction: parley.DirectionIn, Body: "See the photo below.",
			Metadata: map[string]string{"email_html": `<p>See the photo below.</p><img src="` + pixel.URL + `/photo.gif" alt="photo">`}}
		if err := n.App.Store.CreateMessage(context.Background(), old); err != nil {
			t.Fatal(err)
		}
		other := fmt.Sprintf(`.msg[data-message="%d"]`, old.ID)
		run(t, ctx, "open its original",
			chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS(other+` button[data-part=original]`)),
			chromedp.Click(chromedp.CSS(other+` button[data-part=original]`)),
			chromedp.WaitVisible(chromedp.CSS(other+` .mail-html iframe`)),
			chromedp.WaitVisible(chromedp.CSS(other+` .mail-images button`)),
		)
		time.Sleep(300 * time.Millisecond)
		if hits := pixelHits.Load(); hits != 0 {
			t.Fatalf("a remote image loaded before the agent asked (%d requests)", hits)
		}
		run(t, ctx, "load images",
			chromedp.Click(chromedp.CSS(other+` .mail-images button`)),
			chromedp.WaitNotPresent(chromedp.CSS(other+` .mail-images`)),
		)
		deadline := time.Now().Add(20 * time.Second)
		for pixelHits.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if pixelHits.Load() == 0 {
			t.Error("Load images did not load the remote image")
		}
	})

	t.Run("in_chinese", func(t *testing.T) {
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
		defer n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en"}, nil)
		run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(msg+` .mail-head`)))
		toggles := text(msg + " .mail-toggles")
		for _, want := range []string{"显示引用内容", "显示签名", "查看原始邮件"} {
			if !strings.Contains(toggles, want) {
				t.Errorf("toggles %q lack %q", toggles, want)
			}
		}
		if head := text(msg + " .mail-head"); !strings.Contains(head, "主题：") || !strings.Contains(head, "抄送：") {
			t.Errorf("header in Chinese = %q", head)
		}
	})

	t.Run("inline_pictures_show_without_asking", func(t *testing.T) {
		if err := smtp.SendMail(n.App.SMTPAddr(), nil, "omar@customer.example", []string{"support@example.com"}, []byte(inlineImageMail())); err != nil {
			t.Fatalf("sending the mail: %v", err)
		}
		lid := findByContact(t, n.MustWaitConversations(t, 2), "Omar Haddad")
		run(t, ctx, "open its original",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, lid.ID)),
			chromedp.WaitVisible(chromedp.CSS(`.msg.in button[data-part=original]`)),
			chromedp.Click(chromedp.CSS(`.msg.in button[data-part=original]`)),
			chromedp.WaitVisible(chromedp.CSS(`.msg.in .mail-html iframe`)),
			until(`(document.querySelector('.msg.in .mail-html iframe').getAttribute('srcdoc') || '').includes('src="data:image/png;base64,')`),
		)
		if get(t, ctx, "images button", chromedp.Evaluate[bool](`!!document.querySelector('.msg.in .mail-images')`)) {
			t.Error("an inline picture asked for Load images")
		}
	})
}
