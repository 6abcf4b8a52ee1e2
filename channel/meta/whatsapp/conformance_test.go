package whatsapp_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/meta/internal/metakit"
	"github.com/parleyhq/parley/channel/meta/whatsapp"
)

func kitAdapter(tb testing.TB, baseURL string) (parley.Adapter, *parley.Channel) {
	tb.Helper()
	cfg := map[string]string{"phone_number_id": phoneID, "waba_id": wabaID}
	if baseURL != "" {
		cfg["graph_base_url"] = baseURL
	}
	ch := &parley.Channel{ID: 9, Platform: parley.PlatformWhatsApp, Config: cfg, Secrets: metakit.Secrets()}
	a, err := whatsapp.New(ch)
	if err != nil {
		tb.Fatal(err)
	}
	return a, ch
}

func kit(tb testing.TB) channeltest.Kit {
	return channeltest.Kit{
		New:  func(tb testing.TB) (parley.Adapter, *parley.Channel) { return kitAdapter(tb, "") },
		Sign: metakit.Sign,
		Valid: metakit.Fixtures(tb, "whatsapp_text.json", "whatsapp_reply.json", "whatsapp_forwarded.json", "whatsapp_image.json",
			"whatsapp_document.json", "whatsapp_audio.json", "whatsapp_video.json", "whatsapp_sticker.json", "whatsapp_reaction.json",
			"whatsapp_unreaction.json", "whatsapp_location.json", "whatsapp_button_reply.json", "whatsapp_list_reply.json",
			"whatsapp_template_button.json", "whatsapp_unsupported.json", "whatsapp_edit.json", "whatsapp_revoke.json",
			"whatsapp_bsuid.json", "whatsapp_referral.json", "whatsapp_status_sent.json", "whatsapp_status_delivered.json",
			"whatsapp_status_read.json", "whatsapp_status_played.json", "whatsapp_status_failed_131047.json",
			"whatsapp_status_failed_131026.json", "whatsapp_status_biz_opaque.json", "whatsapp_smb_echo.json", "whatsapp_batch.json"),
		Batch:     metakit.Batch,
		Handshake: metakit.Handshake(),
		Outbound: &channeltest.Outbound{
			New:       kitAdapter,
			Recipient: parley.Identity{Kind: parley.IdentityWhatsApp, ScopeChannelID: 9, Value: waID, Verified: true},
			OK: channeltest.Response{Status: 200, Body: `{"messaging_product":"whatsapp","contacts":[{"input":"` + waID +
				`","wa_id":"` + waID + `"}],"messages":[{"id":"wamid.KIT1"}]}`},
			Errors: metakit.WhatsAppErrors(),
		},
		Limits: channeltest.Limits{TextLimit: 4096, Split: true, ReplyWindow: 24 * time.Hour},
	}
}

func TestConformance(t *testing.T) { channeltest.Run(t, kit(t)) }

func FuzzConformanceParse(f *testing.F) { channeltest.FuzzParseWebhook(f, kit(f)) }
