package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley/channel/meta/graph"
)

// PostWebhook signs body with the app secret and POSTs it to the account's
// webhook URL, as Meta does; any answer but 200 is an error.
func (s *Server) PostWebhook(accountID string, body []byte) error {
	s.mu.Lock()
	targets := []string{s.cfg.WebhookURL}
	if a, ok := s.accounts[accountID]; ok {
		targets = s.targets(a)
	}
	s.mu.Unlock()
	return s.postAll(targets, body)
}

// targets are the URLs an account's webhooks go to; s.mu is held.
func (s *Server) targets(a *account) []string {
	if len(a.webhookURLs) > 0 {
		return a.webhookURLs
	}
	return []string{s.cfg.WebhookURL}
}

func (s *Server) postAll(targets []string, body []byte) error {
	for _, t := range targets {
		if err := s.post(t, body); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) post(target string, body []byte) error {
	if target == "" {
		return fmt.Errorf("fake: no webhook URL configured")
	}
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(graph.SignatureHeader, graph.Sign(s.cfg.AppSecret, body))
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("fake: posting webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fake: webhook answered %d", resp.StatusCode)
	}
	return nil
}

// sendLater posts bodies in order in the background after delay (Flush
// waits); s.mu is held.
func (s *Server) sendLater(a *account, delay time.Duration, bodies ...[]byte) {
	targets := s.targets(a)
	s.pending.Add(1)
	go func() {
		defer s.pending.Done()
		time.Sleep(delay)
		for _, b := range bodies {
			if s.postAll(targets, b) != nil {
				return
			}
		}
	}()
}

// autoReceipts reports an accepted send back; s.mu is held.
func (s *Server) autoReceipts(a *account, user, id string) {
	if !s.cfg.AutoReceipts {
		return
	}
	// The phone reports back a moment after the send, as a real one does:
	// the sender has recorded the platform id by then, and the read
	// watermark lies after the send.
	delay := s.cfg.ReceiptDelay
	if delay <= 0 {
		delay = DefaultReceiptDelay
	}
	now := s.cfg.Now().Add(delay)
	if a.kind == KindWhatsApp {
		s.sendLater(a, delay, statusBody(a, id, user, "sent", now, nil), statusBody(a, id, user, "delivered", now, nil),
			statusBody(a, id, user, "read", now, nil))
		return
	}
	party := map[string]any{"id": user}
	self := map[string]any{"id": a.id}
	if a.kind == KindInstagram {
		// Instagram reports "seen" per message (field messaging_seen,
		// read.mid) and has no delivery event (PLATFORMS.md §3).
		s.sendLater(a, delay, messagingBody(a.kind, a.id, now, map[string]any{"sender": party, "recipient": self,
			"timestamp": now.UnixMilli(), "read": map[string]any{"mid": id}}))
		return
	}
	s.sendLater(a, delay,
		messagingBody(a.kind, a.id, now, map[string]any{"sender": party, "recipient": self,
			"delivery": map[string]any{"mids": []string{id}, "watermark": now.UnixMilli()}}),
		messagingBody(a.kind, a.id, now, map[string]any{"sender": party, "recipient": self, "timestamp": now.UnixMilli(),
			"read": map[string]any{"watermark": now.UnixMilli()}}))
}

// inbound records a customer's message (opening the reply window) and
// returns the account's kind and the time it used.
func (s *Server) inbound(accountID, user string) (kind string, now time.Time, id string) {
	s.withAccount(accountID, func(a *account) {
		now = s.cfg.Now()
		a.lastInbound[user] = now
		kind = a.kind
		id = s.nextID("")
	})
	return kind, now, id
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// messagingBody wraps Send-API-shaped events in a page/instagram envelope.
func messagingBody(kind, accountID string, at time.Time, events ...map[string]any) []byte {
	object := "page"
	if kind == KindInstagram {
		object = "instagram"
	}
	return mustJSON(map[string]any{"object": object, "entry": []any{
		map[string]any{"id": accountID, "time": at.UnixMilli(), "messaging": events}}})
}

// MessengerText delivers a customer's text message to a Page (or an
// Instagram account) and returns its mid.
func (s *Server) MessengerText(accountID, user, text string) (string, error) {
	kind, now, n := s.inbound(accountID, user)
	mid := "m_in" + n
	body := messagingBody(kind, accountID, now, map[string]any{
		"sender": map[string]any{"id": user}, "recipient": map[string]any{"id": accountID},
		"timestamp": now.UnixMilli(), "message": map[string]any{"mid": mid, "text": text}})
	return mid, s.PostWebhook(accountID, body)
}

// MessengerImage delivers a customer's image (hosted on this server).
func (s *Server) MessengerImage(accountID, user, url string) (string, error) {
	kind, now, n := s.inbound(accountID, user)
	mid := "m_in" + n
	body := messagingBody(kind, accountID, now, map[string]any{
		"sender": map[string]any{"id": user}, "recipient": map[string]any{"id": accountID}, "timestamp": now.UnixMilli(),
		"message": map[string]any{"mid": mid, "attachments": []any{map[string]any{"type": "image", "payload": map[string]any{"url": url}}}}})
	return mid, s.PostWebhook(accountID, body)
}

// MessengerEcho delivers the echo of a message the page sent.
func (s *Server) MessengerEcho(pageID, user, mid, text string) error {
	now := s.cfg.Now()
	body := messagingBody(KindPage, pageID, now, map[string]any{
		"sender": map[string]any{"id": pageID}, "recipient": map[string]any{"id": user}, "timestamp": now.UnixMilli(),
		"message": map[string]any{"is_echo": true, "app_id": 1517776481860111, "mid": mid, "text": text}})
	return s.PostWebhook(pageID, body)
}

// MessengerDelivery delivers a delivery receipt for mids.
func (s *Server) MessengerDelivery(accountID, user string, mids ...string) error {
	s.mu.Lock()
	kind, now := s.accounts[accountID].kind, s.cfg.Now()
	s.mu.Unlock()
	body := messagingBody(kind, accountID, now, map[string]any{
		"sender": map[string]any{"id": user}, "recipient": map[string]any{"id": accountID},
		"delivery": map[string]any{"mids": mids, "watermark": now.UnixMilli()}})
	return s.PostWebhook(accountID, body)
}

// MessengerRead delivers a read receipt: everything up to now is read.
func (s *Server) MessengerRead(accountID, user string) error {
	s.mu.Lock()
	kind, now := s.accounts[accountID].kind, s.cfg.Now()
	s.mu.Unlock()
	body := messagingBody(kind, accountID, now, map[string]any{
		"sender": map[string]any{"id": user}, "recipient": map[string]any{"id": accountID}, "timestamp": now.UnixMilli(),
		"read": map[string]any{"watermark": now.UnixMilli()}})
	return s.PostWebhook(accountID, body)
}

// Comment delivers a new comment on a Page post (top-level when parentID is
// empty) and returns its id.
func (s *Server) Comment(pageID, postID, parentID, fromID, fromName, text string) (string, error) {
	var id string
	var now time.Time
	s.withAccount(pageID, func(a *account) {
		now = s.cfg.Now()
		id = postID + "_" + s.nextID("c")
		a.comments[id] = comment{from: fromID, at: now, post: postID}
	})
	if parentID == "" {
		parentID = postID
	}
	return id, s.PostWebhook(pageID, feedCommentBody(pageID, postID, parentID, id, fromID, fromName, text, now))
}

// feedCommentBody is a Page feed webhook of a new comment.
func feedCommentBody(pageID, postID, parentID, id, fromID, fromName, text string, now time.Time) []byte {
	return mustJSON(map[string]any{"object": "page", "entry": []any{map[string]any{"id": pageID, "time": now.Unix(),
		"changes": []any{map[string]any{"field": "feed", "value": map[string]any{
			"from": map[string]any{"id": fromID, "name": fromName}, "post_id": postID, "comment_id": id,
			"parent_id": parentID, "created_time": now.Unix(), "item": "comment", "verb": "add", "message": text,
			"post": map[string]any{"id": postID, "permalink_url": "https://www.facebook.com/" + postID}}}}}}})
}

// igCommentBody is an Instagram comments webhook of a new comment.
func igCommentBody(igID, mediaID, parentID, id, fromID, username, text string, now time.Time) []byte {
	value := map[string]any{"from": map[string]any{"id": fromID, "username": username}, "id": id, "text": text,
		"media": map[string]any{"id": mediaID, "media_product_type": "FEED"}}
	if parentID != "" {
		value["parent_id"] = parentID
	}
	return mustJSON(map[string]any{"object": "instagram", "entry": []any{map[string]any{"id": igID, "time": now.Unix(),
		"changes": []any{map[string]any{"field": "comments", "value": value}}}}})
}

// InstagramComment delivers a new comment on Instagram media and returns its id.
func (s *Server) InstagramComment(igID, mediaID, parentID, fromID, username, text string) (string, error) {
	var id string
	var now time.Time
	s.withAccount(igID, func(a *account) {
		now = s.cfg.Now()
		id = "1786" + s.nextID("0000")
		a.comments[id] = comment{from: fromID, at: now, post: mediaID}
	})
	return id, s.PostWebhook(igID, igCommentBody(igID, mediaID, parentID, id, fromID, username, text, now))
}

func waBody(a *account, value map[string]any) []byte {
	value["messaging_product"] = "whatsapp"
	value["metadata"] = map[string]any{"display_phone_number": "15550000000", "phone_number_id": a.id}
	return mustJSON(map[string]any{"object": "whatsapp_business_account", "entry": []any{
		map[string]any{"id": a.wabaID, "changes": []any{map[string]any{"field": "messages", "value": value}}}}})
}

func (s *Server) whatsAppInbound(phoneID, waID, name string, message map[string]any) (string, error) {
	var body []byte
	var wamid string
	s.withAccount(phoneID, func(a *account) {
		now := s.cfg.Now()
		a.lastInbound[waID] = now
		wamid = "wamid.IN" + s.nextID("")
		message["from"], message["id"], message["timestamp"] = waID, wamid, strconv.FormatInt(now.Unix(), 10)
		body = waBody(a, map[string]any{"contacts": []any{map[string]any{"profile": map[string]any{"name": name}, "wa_id": waID}},
			"messages": []any{message}})
	})
	return wamid, s.PostWebhook(phoneID, body)
}

// WhatsAppText delivers a customer's text and returns its wamid.
func (s *Server) WhatsAppText(phoneID, waID, name, text string) (string, error) {
	return s.whatsAppInbound(phoneID, waID, name, map[string]any{"type": "text", "text": map[string]any{"body": text}})
}

// WhatsAppImage stores data as media and delivers an image message with it;
// it returns the wamid and the media id.
func (s *Server) WhatsAppImage(phoneID, waID, name string, data []byte, contentType, caption string) (string, string, error) {
	mediaID := s.AddMedia(phoneID, data, contentType)
	wamid, err := s.whatsAppInbound(phoneID, waID, name, map[string]any{"type": "image",
		"image": map[string]any{"id": mediaID, "mime_type": contentType, "sha256": "", "caption": caption}})
	return wamid, mediaID, err
}

// WhatsAppStatus delivers a status (sent, delivered, read, failed) of one
// of the business's messages; failure fills statuses[].errors.
func (s *Server) WhatsAppStatus(phoneID, wamid, waID, status string, failure *GraphError) error {
	var body []byte
	s.withAccount(phoneID, func(a *account) { body = statusBody(a, wamid, waID, status, s.cfg.Now(), failure) })
	return s.PostWebhook(phoneID, body)
}

func statusBody(a *account, wamid, waID, status string, at time.Time, failure *GraphError) []byte {
	st := map[string]any{"id": wamid, "status": status, "timestamp": strconv.FormatInt(at.Unix(), 10), "recipient_id": waID}
	if failure != nil {
		st["errors"] = []any{failure.element()}
	}
	return waBody(a, map[string]any{"statuses": []any{st}})
}

// AddComment registers a comment on the account without sending a webhook
// (e.g. an old comment, to test the private-reply window).
func (s *Server) AddComment(accountID, commentID, fromID string, at time.Time) {
	s.withAccount(accountID, func(a *account) { a.comments[commentID] = comment{from: fromID, at: at} })
}
