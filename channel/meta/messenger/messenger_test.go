package messenger_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/messenger"
)

const (
	pageID = "106900000000001"
	psid   = "2470000000000001"
	t0     = 1700000000123 // fixture timestamp, ms
)

func MustFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func MustAdapter(tb testing.TB, config map[string]string) *messenger.Adapter {
	tb.Helper()
	cfg := map[string]string{"page_id": pageID}
	for k, v := range config {
		cfg[k] = v
	}
	a, err := messenger.New(&parley.Channel{ID: 7, Platform: parley.PlatformMessenger, Config: cfg,
		Secrets: map[string]string{"app_secret": "appsecret", "verify_token": "vt", "access_token": "page-token"}})
	if err != nil {
		tb.Fatal(err)
	}
	return a.(*messenger.Adapter)
}

func MustParse(tb testing.TB, a *messenger.Adapter, fixture string) []*parley.InboundEvent {
	tb.Helper()
	evs, err := a.ParseWebhook(MustFixture(tb, fixture))
	if err != nil {
		tb.Fatalf("%s: %v", fixture, err)
	}
	return evs
}

func one(tb testing.TB, evs []*parley.InboundEvent) *parley.InboundEvent {
	tb.Helper()
	if len(evs) != 1 {
		tb.Fatalf("got %d events, want 1", len(evs))
	}
	return evs[0]
}

func TestParseWebhook(t *testing.T) {
	a := MustAdapter(t, nil)
	customer := parley.Sender{Kind: parley.IdentityMessenger, ID: psid, Verified: true}
	checkCommon := func(t *testing.T, e *parley.InboundEvent) {
		t.Helper()
		if e.ChannelID != 7 || e.Platform != parley.PlatformMessenger {
			t.Fatalf("channel/platform: %d %s", e.ChannelID, e.Platform)
		}
		if e.Sender.Kind != customer.Kind || !e.Sender.Verified || e.Sender.ID == "" {
			t.Fatalf("sender: %+v", e.Sender)
		}
		if e.ExternalID == "" {
			t.Fatal("no external id: events of one body would de-duplicate together")
		}
	}
	cases := map[string]func(t *testing.T, evs []*parley.InboundEvent){
		"messenger_text.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundMessage || e.ExternalID != "m_text1" || e.Text != "hello, is my order shipped?" ||
				e.Direction != parley.DirectionIn || e.Sender.ID != psid || !e.Timestamp.Equal(time.UnixMilli(t0)) || e.ThreadKey != "" {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_quick_reply.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Text != "Red" || e.Metadata["payload"] != "COLOR_RED" || e.Metadata["payload_source"] != "quick_reply" {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_reply_to.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.ReplyTo != "m_original" {
				t.Fatalf("ReplyTo = %q", e.ReplyTo)
			}
		},
		"messenger_attachments.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			var types []string
			for _, at := range e.Attachments {
				types = append(types, at.Type)
				if at.URL == "" {
					t.Errorf("%s attachment without URL", at.Type)
				}
			}
			want := "image audio video file share share share share share share location"
			if got := strings.Join(types, " "); got != want {
				t.Fatalf("types = %s", got)
			}
			if e.Attachments[9].Caption != "Our shop" || !strings.Contains(e.Attachments[10].URL, "52.52,13.405") ||
				e.Metadata["latitude"] != "52.52" || e.Metadata["longitude"] != "13.405" {
				t.Fatalf("fallback/location: %+v %+v", e.Attachments[9:], e.Metadata)
			}
			if e.Attachments[4].Caption != "A reel" || e.Attachments[5].Caption != "ig_reel" {
				t.Fatalf("share captions: %+v", e.Attachments[4:6])
			}
		},
		"messenger_sticker.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if len(e.Attachments) != 1 || e.Attachments[0].Type != "sticker" {
				t.Fatalf("sticker sent twice must appear once: %+v", e.Attachments)
			}
		},
		"messenger_echo.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Direction != parley.DirectionOut || e.Sender.ID != psid || e.ExternalID != "m_echo1" ||
				e.Metadata["echo_app_id"] != "1517776481860111" || e.Metadata["echo_metadata"] != "parley:77" {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_delivery.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundReceipt || e.Status != parley.MessageDelivered || strings.Join(e.Targets, ",") != "m_out1,m_out2" ||
				e.Watermark == nil || e.Watermark.UnixMilli() != 1700000000500 {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_delivery_watermark.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Status != parley.MessageDelivered || len(e.Targets) != 0 || e.Watermark.UnixMilli() != 1700000000600 || e.Timestamp.IsZero() {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_read.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundReceipt || e.Status != parley.MessageRead || e.Watermark.UnixMilli() != 1700000000900 {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_postback.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundMessage || e.ExternalID != "m_pb1" || e.Text != "Talk to an agent" || e.Metadata["payload"] != "AGENT" ||
				e.Metadata["payload_source"] != "postback" || e.Metadata["referral_ref"] != "summer" || e.Metadata["referral_source"] != "SHORTLINK" {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_referral.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundMessage || e.Metadata["event"] != "referral" || e.Metadata["referral_ref"] != "campaign-7" ||
				e.Metadata["referral_ad_id"] != "6045246247433" || e.Metadata["referral_type"] != "OPEN_THREAD" {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_reaction.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if len(evs) != 2 {
				t.Fatalf("%d events", len(evs))
			}
			r, u := evs[0], evs[1]
			if r.Kind != parley.InboundReaction || r.ReplyTo != "m_out1" || r.Text != "❤️" || r.Metadata["action"] != "react" || r.Metadata["reaction"] != "love" {
				t.Fatalf("react: %+v", r)
			}
			if u.Metadata["action"] != "unreact" || u.ExternalID == r.ExternalID {
				t.Fatalf("unreact: %+v", u)
			}
		},
		"messenger_edit.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundEdit || e.ExternalID != "m_text1#edit:1" || e.ReplyTo != "m_text1" || e.Targets[0] != "m_text1" || e.Text != "hello, is my order shipped yet?" {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_standby.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundMessage || e.Metadata["standby"] != "true" || e.Text != "still there?" {
				t.Fatalf("%+v", e)
			}
		},
		"messenger_batch.json": func(t *testing.T, evs []*parley.InboundEvent) {
			var got []string
			for _, e := range evs {
				got = append(got, string(e.Kind)+":"+e.Sender.ID[len(e.Sender.ID)-1:])
			}
			if strings.Join(got, " ") != "message:1 message:1 receipt:1 receipt:1 message:2" {
				t.Fatalf("batch (other page skipped): %v", got)
			}
			seen := map[string]bool{}
			for _, e := range evs {
				if seen[e.DedupKey(nil)] {
					t.Fatalf("two events share dedup key %s", e.DedupKey(nil))
				}
				seen[e.DedupKey(nil)] = true
			}
		},
		"messenger_unknown_fields.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.ExternalID != "m_unk1" || e.Text != "hi" {
				t.Fatalf("%+v", e)
			}
		},
		"feed_comment_add.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if len(evs) != 0 {
				t.Fatalf("feed changes belong to the comments channel: %+v", evs)
			}
		},
	}
	for fixture, check := range cases {
		t.Run(strings.TrimSuffix(fixture, ".json"), func(t *testing.T) {
			evs := MustParse(t, a, fixture)
			for _, e := range evs {
				checkCommon(t, e)
			}
			check(t, evs)
		})
	}
}

func TestParseWebhookRefusesMalformedBodies(t *testing.T) {
	a := MustAdapter(t, nil)
	for name, body := range map[string]string{
		"not JSON":            `{"object":`,
		"another object":      `{"object":"instagram","entry":[]}`,
		"whatsapp body":       string(MustFixture(t, "whatsapp_text.json")),
		"entry not a list":    `{"object":"page","entry":{}}`,
		"timestamp gibberish": `{"object":"page","entry":[{"id":"1","messaging":[{"timestamp":"soon"}]}]}`,
		"empty":               ``,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := a.ParseWebhook([]byte(body)); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
		})
	}
	t.Run("an empty batch is fine", func(t *testing.T) {
		evs, err := a.ParseWebhook([]byte(`{"object":"page","entry":[]}`))
		if err != nil || len(evs) != 0 {
			t.Fatalf("%v %v", evs, err)
		}
	})
}

func TestNewNeedsPageID(t *testing.T) {
	_, err := messenger.New(&parley.Channel{ID: 1, Config: map[string]string{}})
	var pe *parley.Error
	if !errors.As(err, &pe) || pe.Code != parley.EINVALID {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParseWebhook(f *testing.F) {
	entries, _ := os.ReadDir(filepath.Join("..", "testdata"))
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join("..", "testdata", e.Name())); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"object":"page","entry":[{"id":"106900000000001","messaging":[{"sender":{"id":1},"message":{"attachments":[{"payload":null}]}}]}]}`))
	a := MustAdapter(f, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := a.ParseWebhook(body)
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("error code %q", parley.ErrorCode(err))
			}
			return
		}
		for _, e := range evs {
			if e.Platform != parley.PlatformMessenger || e.ChannelID != 7 || e.Sender.ID == "" || e.Kind == "" {
				t.Fatalf("incomplete event %+v", e)
			}
		}
	})
}
