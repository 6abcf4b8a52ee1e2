package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
	"github.com/parleyhq/parley/channel/email/mailtest"
)

// upload posts data as the multipart field "file".
func (c *agentClient) upload(filename string, data []byte) parley.Attachment {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", filename)
	part.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/api/v1/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		c.t.Fatalf("upload: %s %s", resp.Status, raw)
	}
	var att parley.Attachment
	if err := json.Unmarshal(raw, &att); err != nil {
		c.t.Fatal(err)
	}
	return att
}

func (c *agentClient) download(path string) (int, []byte) {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestMailAttachmentsInAndOut: a file mailed in is stored and agents can
// open it; a file an agent uploads leaves attached to the SMTP reply.
func TestMailAttachmentsInAndOut(t *testing.T) {
	dovecot := mailtest.StartDovecot(t, nil, "")
	smtp := mailtest.StartSMTPCapture(t, "none", "", "")
	var channelID int64
	a := mustNewApp(t, func(a *app.App) {
		ch := &parley.Channel{Platform: parley.PlatformEmail, Name: "Support mailbox", Status: parley.ChannelActive,
			Config: map[string]string{
				"from_address": "support@example.com",
				"imap_host":    "127.0.0.1", "imap_port": strconv.Itoa(dovecot.Port), "imap_tls": "none", "imap_username": dovecot.User,
				"smtp_host": "127.0.0.1", "smtp_port": strconv.Itoa(smtp.Port), "smtp_tls": "none",
			},
			Secrets: map[string]string{"imap_password": dovecot.Password}}
		if err := a.Store.CreateChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
		channelID = ch.ID
	})
	receipt := "%PDF-1.4\n% receipt 4711 for Ana\n%%EOF\n"
	dovecot.Deliver(t, []byte("From: Ana <ana@example.net>\r\nTo: support@example.com\r\nSubject: receipt\r\n"+
		"Message-ID: <att-1@example.net>\r\nDate: "+time.Now().Format(time.RFC1123Z)+"\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n"+
		"--BB\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"receipt.pdf\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\n"+base64.StdEncoding.EncodeToString([]byte(receipt))+"\r\n--BB--\r\n"))

	c := mustSignIn(t, a)
	var conv *parley.Conversation
	eventually(t, 20*time.Second, "mail became a ticket", func() bool {
		if convs := conversationsOn(c, channelID); len(convs) == 1 {
			conv = convs[0]
		}
		return conv != nil
	})
	var att parley.Attachment
	eventually(t, 20*time.Second, "the mailed file to be readable", func() bool {
		msgs := messagesOf(c, conv.ID)
		if len(msgs) == 0 || len(msgs[0].Attachments) == 0 || msgs[0].Attachments[0].StorageKey == "" {
			return false
		}
		att = msgs[0].Attachments[0]
		code, _ := c.download(parley.FilesPath + att.StorageKey)
		return code == http.StatusOK // bound to its message by the media worker
	})
	if code, body := c.download(parley.FilesPath + att.StorageKey); code != http.StatusOK || string(body) != receipt {
		t.Fatalf("mailed file: %d %q", code, body)
	}

	photo := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("p", 100))
	up := c.upload("label.png", photo)
	c.do("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]any{"body": "Here is the label.", "attachments": []parley.Attachment{up}}, nil)
	var sent []byte
	eventually(t, 20*time.Second, "reply captured by SMTP", func() bool {
		if m := smtp.Messages(t); len(m) > 0 {
			sent = m[0]
		}
		return sent != nil
	})
	if got := attachedFile(t, sent, "label.png"); !bytes.Equal(got, photo) {
		t.Fatalf("the reply carried %q, want the upload", got)
	}
}

// attachedFile returns the decoded part of a mail named filename.
func attachedFile(t *testing.T, raw []byte, filename string) []byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no part named %s in\n%s", filename, raw)
		}
		if p.FileName() == filename {
			data, _ := io.ReadAll(p)
			if p.Header.Get("Content-Transfer-Encoding") == "base64" {
				data, _ = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
			}
			return data
		}
	}
}
