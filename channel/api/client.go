package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// maxReasonRunes bounds the platform reason kept on a failed message.
const maxReasonRunes = 200

// maxRetryAfter caps a receiver's Retry-After, so a typo cannot park a
// message for years.
const maxRetryAfter = 24 * time.Hour

// Send POSTs the reply to the channel's webhook_url as a message.created
// webhook. Failures are *parley.SendError: 429 is rate_limited (with
// Retry-After), 5xx and network errors transient, 401/403 auth, any other
// answer permanent with the receiver's reason.
func (a *Adapter) Send(ctx context.Context, m parley.OutboundMessage) (parley.SendResult, error) {
	if err := a.checkSendable(m); err != nil {
		return parley.SendResult{}, err
	}
	thread := ""
	if m.Conversation != nil {
		thread = m.Conversation.ThreadKey
	}
	msg := payloadMessage(m.Message, thread)
	msg.Status = "" // the receiver is the one delivering it
	p := Payload{
		Type: TypeMessageCreated, Message: msg,
		Conversation: payloadConversation(m.Conversation),
		Contact:      &PayloadContact{ID: m.Recipient.Value},
	}
	if err := a.post(ctx, TypeMessageCreated+"/"+strconv.FormatInt(m.Message.ID, 10), p); err != nil {
		return parley.SendResult{}, err
	}
	return parley.SendResult{ExternalID: ExternalID(m.Message.ID), Status: parley.MessageSent}, nil
}

func (a *Adapter) checkSendable(m parley.OutboundMessage) error {
	switch {
	case a.webhookURL == "":
		return &parley.SendError{Class: parley.SendPermanent, Code: "no_webhook_url", Reason: "the API channel has no webhook_url to send to"}
	case m.Message == nil:
		return &parley.SendError{Class: parley.SendPermanent, Code: "no_message", Reason: "nothing to send"}
	case m.Recipient == nil || m.Recipient.Value == "":
		return &parley.SendError{Class: parley.SendPermanent, Code: "no_recipient", Reason: "the contact has no id on this API channel"}
	}
	if n := utf8.RuneCountInString(m.Message.Body); n > TextLimit {
		return &parley.SendError{Class: parley.SendPermanent, Code: "text_too_long",
			Reason: "text is " + strconv.Itoa(n) + " characters; the API channel accepts at most " + strconv.Itoa(TextLimit)}
	}
	return nil
}

// post signs p and POSTs it to the webhook_url with delivery as the
// X-Parley-Delivery idempotency key. It returns nil on any 2xx and a
// classified *parley.SendError otherwise.
func (a *Adapter) post(ctx context.Context, delivery string, p Payload) error {
	if a.webhookURL == "" {
		return &parley.SendError{Class: parley.SendPermanent, Code: "no_webhook_url", Reason: "the API channel has no webhook_url to send to"}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return &parley.SendError{Class: parley.SendPermanent, Code: "encode", Reason: "cannot encode the webhook", Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.webhookURL, bytes.NewReader(body))
	if err != nil {
		return &parley.SendError{Class: parley.SendPermanent, Code: "request", Reason: "cannot build the request", Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Parley/"+parley.Version)
	req.Header.Set(HeaderDelivery, delivery)
	SignRequest(req, a.secret, a.clock.Now(), body)
	resp, err := a.client.Do(req)
	if err != nil {
		// Timeouts, refused connections, resets: the receiver may be back soon.
		return &parley.SendError{Class: parley.SendTransient, Code: "network", Reason: networkReason(err), Err: err}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	return a.classify(resp, snippet)
}

func networkReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "the webhook receiver did not answer in time"
	}
	return "the webhook receiver could not be reached"
}

// classify turns a non-2xx answer into the sender's next step.
func (a *Adapter) classify(resp *http.Response, body []byte) error {
	status := resp.StatusCode
	if status >= 200 && status < 300 {
		return nil
	}
	e := &parley.SendError{Code: "http_" + strconv.Itoa(status), Reason: responseReason(status, body)}
	switch {
	case status == http.StatusTooManyRequests:
		e.Class = parley.SendRateLimited
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), a.clock.Now())
	case status >= 500:
		e.Class = parley.SendTransient
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), a.clock.Now())
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Class = parley.SendAuth
	default:
		e.Class = parley.SendPermanent
	}
	return e
}

// responseReason is the receiver's own explanation, truncated: the
// "message" or "error" of a JSON body, or the body's text, or the status text.
func responseReason(status int, body []byte) string {
	var j struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	text := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &j) == nil {
		var nested struct {
			Message string `json:"message"`
		}
		var plain string
		switch {
		case j.Message != "":
			text = j.Message
		case json.Unmarshal(j.Error, &plain) == nil && plain != "":
			text = plain
		case json.Unmarshal(j.Error, &nested) == nil && nested.Message != "":
			text = nested.Message
		}
	}
	text = strings.ToValidUTF8(strings.Join(strings.Fields(text), " "), "")
	if text == "" {
		text = http.StatusText(status)
	}
	if text == "" {
		text = "HTTP " + strconv.Itoa(status)
	}
	return truncate(text, maxReasonRunes)
}

// retryAfter reads Retry-After as seconds or as an HTTP date; 0 if absent
// or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		secs = min(max(secs, 0), int(maxRetryAfter/time.Second)) // before multiplying: no overflow
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return min(at.Sub(now), maxRetryAfter)
	}
	return 0
}
