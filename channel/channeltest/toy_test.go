package channeltest_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// toyAdapter is a small, correct adapter for an imaginary platform, used to
// prove that the kit passes good adapters. Each flaw breaks one promise, to
// prove that the kit notices.
//
// Platform: POST bodies {"events":[{"id","from","text","ts"}]} signed with
// X-Toy-Signature: hex(HMAC-SHA256(secret, body)); a GET
// ?token=<verify token>&challenge=<c> handshake; sends POST JSON to the base
// URL and answers {"id":"<new id>"}; text limit 10 characters.
type toyAdapter struct {
	ch      *parley.Channel
	baseURL string
	flaw    string
	sent    int
}

const (
	toySecret      = "toy-secret"
	toyToken       = "toy-token"
	toyTextLimit   = 10
	toySignHeader  = "X-Toy-Signature"
	maxUnixSeconds = 253402300799 // 9999-12-31T23:59:59Z: later times cannot be encoded as JSON
)

type toyBody struct {
	Events []*struct {
		ID   string `json:"id"`
		From string `json:"from"`
		Text string `json:"text"`
		TS   int64  `json:"ts"`
	} `json:"events"`
}

func (a *toyAdapter) Platform() parley.Platform { return parley.PlatformWidget }

func (a *toyAdapter) Capabilities() parley.Capabilities {
	c := parley.Capabilities{TextLimit: toyTextLimit}
	if a.flaw == "declares-wrong-limit" {
		c.TextLimit = 20
	}
	return c
}

func (a *toyAdapter) VerifyWebhook(r *http.Request, body []byte) error {
	switch a.flaw {
	case "accepts-anything":
		return nil
	case "verifies-reencoded-json":
		var compact bytes.Buffer
		if json.Compact(&compact, body) == nil {
			body = compact.Bytes()
		}
	}
	got, err := hex.DecodeString(r.Header.Get(toySignHeader))
	if err != nil || !hmac.Equal(got, toyMAC(body)) {
		return parley.Errorf(parley.EUNAUTHORIZED, "bad signature")
	}
	return nil
}

func toyMAC(body []byte) []byte {
	m := hmac.New(sha256.New, []byte(toySecret))
	m.Write(body)
	return m.Sum(nil)
}

func (a *toyAdapter) ParseWebhook(body []byte) ([]*parley.InboundEvent, error) {
	var in toyBody
	dec := json.NewDecoder(bytes.NewReader(body))
	if a.flaw == "rejects-unknown-fields" {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(&in); err != nil || dec.More() {
		if a.flaw == "wrong-error-code" {
			return nil, err
		}
		return nil, parley.Errorf(parley.EINVALID, "not a toy body")
	}
	if len(in.Events) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "no events")
	}
	if a.flaw == "keeps-first-event-only" {
		in.Events = in.Events[:1]
	}
	var out []*parley.InboundEvent
	for _, e := range in.Events {
		if a.flaw != "panics-on-null" && e == nil {
			return nil, parley.Errorf(parley.EINVALID, "null event")
		}
		if e.ID == "" || e.From == "" || e.TS <= 0 || (e.TS > maxUnixSeconds && a.flaw != "accepts-year-10000") {
			return nil, parley.Errorf(parley.EINVALID, "event needs id, from and ts")
		}
		out = append(out, a.event(e.ID, e.From, e.Text, e.TS))
	}
	return out, nil
}

func (a *toyAdapter) event(id, from, text string, ts int64) *parley.InboundEvent {
	e := &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: a.ch.ID, Platform: parley.PlatformWidget, ExternalID: id,
		Sender: parley.Sender{Kind: parley.IdentityWidget, ID: from}, Direction: parley.DirectionIn,
		Timestamp: time.Unix(ts, 0).UTC(), Text: text,
	}
	switch a.flaw {
	case "shares-dedup-keys":
		e.ExternalID = ""
	case "stamps-wall-clock":
		e.Timestamp = time.Now()
	case "wrong-channel":
		e.ChannelID++
	}
	return e
}

// Handshake answers GET ?token=&challenge=.
func (a *toyAdapter) Handshake(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	q := r.URL.Query()
	if q.Get("token") != toyToken && a.flaw != "handshake-ignores-token" {
		w.WriteHeader(http.StatusForbidden)
		return true
	}
	_, _ = w.Write([]byte(q.Get("challenge")))
	return true
}

func (a *toyAdapter) Send(ctx context.Context, m parley.OutboundMessage) (parley.SendResult, error) {
	n := utf8.RuneCountInString(m.Message.Body)
	if a.flaw == "counts-bytes" {
		n = len(m.Message.Body)
	}
	if n > toyTextLimit && a.flaw != "ignores-limit" {
		return parley.SendResult{}, &parley.SendError{Class: parley.SendPermanent, Reason: "text longer than " + strconv.Itoa(toyTextLimit)}
	}
	if a.flaw == "ignores-deadline" {
		ctx = context.Background()
	}
	body, _ := json.Marshal(map[string]string{"to": m.Recipient.Value, "text": m.Message.Body})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, a.baseURL+"/send", bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		class := parley.SendTransient
		if a.flaw == "network-is-permanent" {
			class = parley.SendPermanent
		}
		return parley.SendResult{}, &parley.SendError{Class: class, Err: err}
	}
	defer resp.Body.Close()
	var ok struct{ ID string }
	_ = json.NewDecoder(resp.Body).Decode(&ok)
	switch s := resp.StatusCode; {
	case s < 300:
		if a.flaw == "sends-twice" {
			a.sent++
			if a.sent == 1 {
				return a.Send(ctx, m)
			}
		}
		return parley.SendResult{ExternalID: ok.ID, Status: parley.MessageSent}, nil
	case s == http.StatusTooManyRequests && a.flaw != "429-is-transient":
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return parley.SendResult{}, &parley.SendError{Class: parley.SendRateLimited, RetryAfter: time.Duration(secs) * time.Second}
	case s >= 500 || s == http.StatusTooManyRequests:
		return parley.SendResult{}, &parley.SendError{Class: parley.SendTransient}
	case s == 401 || s == 403:
		return parley.SendResult{}, &parley.SendError{Class: parley.SendAuth}
	}
	return parley.SendResult{}, &parley.SendError{Class: parley.SendPermanent, Reason: http.StatusText(resp.StatusCode)}
}
