package whatsapp_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/whatsapp"
)

const (
	wabaID  = "102290129340398"
	phoneID = "106540352242922"
	waID    = "16315551181"
	firstID = "wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
)

func MustFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func MustAdapter(tb testing.TB, config map[string]string) *whatsapp.Adapter {
	tb.Helper()
	cfg := map[string]string{"phone_number_id": phoneID, "waba_id": wabaID}
	for k, v := range config {
		cfg[k] = v
	}
	a, err := whatsapp.New(&parley.Channel{ID: 9, Platform: parley.PlatformWhatsApp, Config: cfg,
		Secrets: map[string]string{"app_secret": "appsecret", "verify_token": "vt", "access_token": "wa-token"}})
	if err != nil {
		tb.Fatal(err)
	}
	return a.(*whatsapp.Adapter)
}

func one(tb testing.TB, evs []*parley.InboundEvent) *parley.InboundEvent {
	tb.Helper()
	if len(evs) != 1 {
		tb.Fatalf("got %d events, want 1: %+v", len(evs), evs)
	}
	return evs[0]
}

func TestParseWebhook(t *testing.T) {
	a := MustAdapter(t, nil)
	cases := map[string]func(t *testing.T, evs []*parley.InboundEvent){
		"whatsapp_text.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			s := e.Sender
			if e.Kind != parley.InboundMessage || e.ExternalID != firstID || e.Text != "Hi, I need help with my order" ||
				!e.Timestamp.Equal(time.Unix(1700000000, 0)) || e.Direction != parley.DirectionIn {
				t.Fatalf("%+v", e)
			}
			if s.Kind != parley.IdentityWhatsApp || s.ID != waID || !s.Verified || s.Name != "Kerry Fisher" ||
				len(s.Extra) != 1 || s.Extra[0].Kind != parley.IdentityPhone || s.Extra[0].Value != "+16315551181" || !s.Extra[0].Verified {
				t.Fatalf("sender %+v", s)
			}
		},
		"whatsapp_reply.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.ReplyTo != "wamid.OUT1" || e.Text != "yes, that one" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_forwarded.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Metadata["forwarded"] != "true" || e.ReplyTo != "" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_image.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			at := e.Attachments[0]
			if at.Type != "image" || at.PlatformID != "1003383421387256" || at.ContentType != "image/jpeg" || at.Caption != "the damage" || e.Text != "the damage" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_document.json": func(t *testing.T, evs []*parley.InboundEvent) {
			at := one(t, evs).Attachments[0]
			if at.Type != "file" || at.Filename != "invoice-42.pdf" || at.ContentType != "application/pdf" {
				t.Fatalf("%+v", at)
			}
		},
		"whatsapp_audio.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Attachments[0].Type != "audio" || e.Metadata["voice"] != "true" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_video.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if at := one(t, evs).Attachments[0]; at.Type != "video" || at.PlatformID != "1003383421387259" {
				t.Fatalf("%+v", at)
			}
		},
		"whatsapp_sticker.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if at := one(t, evs).Attachments[0]; at.Type != "sticker" || at.ContentType != "image/webp" {
				t.Fatalf("%+v", at)
			}
		},
		"whatsapp_reaction.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundReaction || e.ReplyTo != "wamid.OUT1" || e.Text != "👍" || e.Metadata["action"] != "react" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_unreaction.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundReaction || e.Text != "" || e.Metadata["action"] != "unreact" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_location.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Attachments[0].Type != "location" || !strings.Contains(e.Attachments[0].URL, "38.7223,-9.1393") ||
				e.Attachments[0].Caption != "Our store Rua Augusta 1, Lisboa" || e.Metadata["latitude"] != "38.7223" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_button_reply.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Text != "Refund" || e.Metadata["payload"] != "refund" || e.Metadata["payload_source"] != "button_reply" || e.ReplyTo != "wamid.OUT2" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_list_reply.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Text != "Tuesday 10:00" || e.Metadata["payload"] != "slot-2" || e.Metadata["payload_source"] != "list_reply" || e.Metadata["list_description"] != "Lisbon store" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_template_button.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Text != "Stop promotions" || e.Metadata["payload"] != "STOP_PROMOS" || e.Metadata["payload_source"] != "template_button" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_unsupported.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundMessage || !strings.HasPrefix(e.Metadata["unsupported"], "131051: Message type unknown") {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_edit.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundEdit || e.ExternalID != "wamid.EDIT1" || e.ReplyTo != firstID || e.Targets[0] != firstID || e.Text != "Hi, I need help with my order #42" || e.Metadata["edit_id"] != "wamid.EDIT1" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_revoke.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundDelete || e.ExternalID != "wamid.REVOKE1" || e.ReplyTo != "wamid.REPLY1" || e.Targets[0] != "wamid.REPLY1" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_bsuid.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Sender.ID != "US.13491208655302741918" || len(e.Sender.Extra) != 0 || e.Sender.Name != "No Phone" {
				t.Fatalf("a business-scoped id is no phone number: %+v", e.Sender)
			}
		},
		"whatsapp_referral.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Metadata["referral_source_type"] != "ad" || e.Metadata["referral_headline"] != "Winter sale" || e.Metadata["referral_ctwa_clid"] != "ARAkLkA8" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_status_sent.json":      receipt(parley.MessageSent, "wamid.OUT1", "", ""),
		"whatsapp_status_delivered.json": receipt(parley.MessageDelivered, "wamid.OUT1", "", ""),
		"whatsapp_status_read.json":      receipt(parley.MessageRead, "wamid.OUT1", "", ""),
		"whatsapp_status_played.json":    receipt(parley.MessageRead, "wamid.VOICEOUT", "", ""),
		"whatsapp_status_failed_131047.json": receipt(parley.MessageFailed, "wamid.OUT4", "131047",
			"Re-engagement message (Message failed to send because more than 24 hours have passed since the customer last replied to this number.)"),
		"whatsapp_status_failed_131026.json": receipt(parley.MessageFailed, "wamid.OUT5", "131026", "Message undeliverable (Message Undeliverable.)"),
		"whatsapp_status_biz_opaque.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Metadata["biz_opaque_callback_data"] != "parley:77" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_value_errors.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if len(evs) != 0 {
				t.Fatalf("account-level errors are not ticket events: %+v", evs)
			}
		},
		"whatsapp_smb_echo.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Direction != parley.DirectionOut || e.Sender.ID != waID || e.ExternalID != "wamid.ECHO1" || e.Text != "Sent from the WhatsApp Business app" {
				t.Fatalf("%+v", e)
			}
		},
		"whatsapp_batch.json": func(t *testing.T, evs []*parley.InboundEvent) {
			var got []string
			for _, e := range evs {
				got = append(got, e.ExternalID)
			}
			if strings.Join(got, " ") != "wamid.B1 wamid.B2 wamid.OUT7:delivered wamid.OUT7:read" {
				t.Fatalf("batch (other number skipped): %v", got)
			}
			if evs[1].Sender.Name != "Lee" || evs[1].Sender.Extra[0].Value != "+447700900123" {
				t.Fatalf("second contact %+v", evs[1].Sender)
			}
		},
	}
	for fixture, check := range cases {
		t.Run(strings.TrimSuffix(fixture, ".json"), func(t *testing.T) {
			evs, err := a.ParseWebhook(MustFixture(t, fixture))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.ChannelID != 9 || e.Platform != parley.PlatformWhatsApp || e.Sender.Kind != parley.IdentityWhatsApp || e.ExternalID == "" {
					t.Fatalf("common fields %+v", e)
				}
			}
			check(t, evs)
		})
	}
}

func receipt(status parley.MessageStatus, target, code, reason string) func(*testing.T, []*parley.InboundEvent) {
	return func(t *testing.T, evs []*parley.InboundEvent) {
		t.Helper()
		e := one(t, evs)
		if e.Kind != parley.InboundReceipt || e.Status != status || len(e.Targets) != 1 || e.Targets[0] != target ||
			e.FailureCode != code || e.FailureReason != reason || e.Sender.ID != waID || e.Timestamp.IsZero() {
			t.Fatalf("%+v", e)
		}
	}
}

func TestParseWebhookRefusesMalformedBodies(t *testing.T) {
	a := MustAdapter(t, nil)
	for name, body := range map[string]string{
		"not JSON":        `[`,
		"a page body":     string(MustFixture(t, "messenger_text.json")),
		"changes object":  `{"object":"whatsapp_business_account","entry":[{"changes":{}}]}`,
		"timestamp words": `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messages":[{"timestamp":"noon"}]}}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := a.ParseWebhook([]byte(body)); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("unknown fields and types are kept or ignored, not refused", func(t *testing.T) {
		body := `{"object":"whatsapp_business_account","new":1,"entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"shiny":true,"metadata":{"phone_number_id":"106540352242922"},
			"messages":[{"from":"1555","id":"wamid.N","timestamp":"1700000000","type":"hologram","hologram":{}}]}},{"field":"account_update","value":{"event":"X"}}]}]}`
		evs, err := a.ParseWebhook([]byte(body))
		if err != nil || len(evs) != 1 || evs[0].Metadata["type"] != "hologram" {
			t.Fatalf("%+v %v", evs, err)
		}
	})
}

func FuzzParseWebhook(f *testing.F) {
	entries, _ := os.ReadDir(filepath.Join("..", "testdata"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "whatsapp") {
			f.Add(MustFixture(f, e.Name()))
		}
	}
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
			if e.Platform != parley.PlatformWhatsApp || e.Sender.ID == "" || e.Kind == "" {
				t.Fatalf("incomplete event %+v", e)
			}
		}
	})
}

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte("appsecret"))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
