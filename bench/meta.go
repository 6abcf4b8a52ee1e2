package bench

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ingestTarget is the channel an ingest run writes to: where its webhook
// is, how a batch of customer messages looks on that platform, and how the
// platform signs it.
type ingestTarget struct {
	hook string
	body func(prefix string, first int64, n, contacts int) []byte
	sign func(req *http.Request, body []byte)
}

// Platforms bench ingest can play.
const (
	platformAPI       = "api"
	platformMessenger = "messenger"
	platformWhatsApp  = "whatsapp"
)

// newIngestTarget connects a fresh channel of platform for the run. Meta
// channels point their Graph API at an address that refuses connections:
// the run only sends inbound traffic, and an accidental send fails fast.
func newIngestTarget(ctx context.Context, c *client, platform, run string) (*ingestTarget, error) {
	secret := randomHex(16)
	meta := func(config map[string]string) (int64, error) {
		config["graph_base_url"] = "http://127.0.0.1:9"
		return c.createChannel(ctx, platform, "bench "+run, config,
			map[string]string{"app_secret": secret, "verify_token": randomHex(8), "access_token": "bench-" + run})
	}
	var id int64
	var err error
	t := &ingestTarget{sign: func(req *http.Request, body []byte) { signMeta(req, secret, body) }}
	switch platform {
	case platformAPI:
		id, err = c.createAPIChannel(ctx, "bench "+run, secret)
		t.body = webhookBody
		t.sign = func(req *http.Request, body []byte) { signAPIWebhook(req, secret, body, time.Now()) }
	case platformMessenger:
		page := "9" + strconv.FormatInt(rand.Int64N(1e14), 10)
		id, err = meta(map[string]string{"page_id": page})
		t.body = func(prefix string, first int64, n, contacts int) []byte {
			return messengerBody(page, prefix, first, n, contacts)
		}
	case platformWhatsApp:
		phoneID := "8" + strconv.FormatInt(rand.Int64N(1e14), 10)
		waba := "7" + strconv.FormatInt(rand.Int64N(1e14), 10)
		id, err = meta(map[string]string{"phone_number_id": phoneID, "waba_id": waba})
		t.body = func(prefix string, first int64, n, contacts int) []byte {
			return whatsAppBody(waba, phoneID, prefix, first, n, contacts)
		}
	default:
		return nil, fmt.Errorf("platform %q: want api, messenger or whatsapp", platform)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the %s channel: %w", platform, err)
	}
	t.hook = fmt.Sprintf("%s/hooks/%s/%d", c.base, platform, id)
	return t, nil
}

func (c *client) createChannel(ctx context.Context, platform, name string, config, secrets map[string]string) (int64, error) {
	var ch struct {
		ID int64 `json:"id"`
	}
	err := c.do(ctx, "POST", "/api/v1/channels", map[string]any{
		"platform": platform, "name": name, "config": config, "secrets": secrets,
	}, &ch)
	return ch.ID, err
}

// signMeta signs a body as Meta does: X-Hub-Signature-256 = sha256=HMAC(app secret, body).
func signMeta(req *http.Request, appSecret string, body []byte) {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/json")
}

// customerText is one of the sample texts, with an order number filled in.
func customerText() string {
	text := texts[rand.IntN(len(texts))]
	if strings.Contains(text, "%d") {
		text = fmt.Sprintf(text, 10000+rand.IntN(90000))
	}
	return text
}

// messengerBody is a Page webhook with n customer messages, one entry each,
// as Meta batches them (PLATFORMS.md §1); the mids carry the run's sequence.
func messengerBody(pageID, prefix string, first int64, n, contacts int) []byte {
	now := time.Now().UnixMilli()
	entries := make([]map[string]any, n)
	for i := range entries {
		psid := strconv.Itoa(2_470_000_000_000_000 + rand.IntN(contacts))
		entries[i] = map[string]any{"id": pageID, "time": now, "messaging": []any{map[string]any{
			"sender": map[string]any{"id": psid}, "recipient": map[string]any{"id": pageID}, "timestamp": now,
			"message": map[string]any{"mid": prefix + strconv.FormatInt(first+int64(i), 10), "text": customerText()},
		}}}
	}
	b, _ := json.Marshal(map[string]any{"object": "page", "entry": entries})
	return b
}

// whatsAppBody is a WhatsApp Business Account webhook with n customer
// messages, one change each (PLATFORMS.md §4); the wamids carry the sequence.
func whatsAppBody(wabaID, phoneID, prefix string, first int64, n, contacts int) []byte {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	changes := make([]any, n)
	for i := range changes {
		c := rand.IntN(contacts)
		waID := strconv.Itoa(4_915_100_000_000 + c)
		changes[i] = map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]any{"display_phone_number": "15550000000", "phone_number_id": phoneID},
			"contacts":          []any{map[string]any{"profile": map[string]any{"name": "Customer " + strconv.Itoa(c)}, "wa_id": waID}},
			"messages": []any{map[string]any{"from": waID, "id": prefix + strconv.FormatInt(first+int64(i), 10),
				"timestamp": now, "type": "text", "text": map[string]any{"body": customerText()}}},
		}}
	}
	b, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{
		map[string]any{"id": wabaID, "changes": changes}}})
	return b
}
