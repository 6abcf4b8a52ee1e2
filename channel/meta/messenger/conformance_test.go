package messenger_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/meta/internal/metakit"
	"github.com/parleyhq/parley/channel/meta/messenger"
)

func kitChannel(baseURL string) *parley.Channel {
	cfg := map[string]string{"page_id": pageID}
	if baseURL != "" {
		cfg["graph_base_url"] = baseURL
	}
	return &parley.Channel{ID: 7, Platform: parley.PlatformMessenger, Config: cfg, Secrets: metakit.Secrets()}
}

func kitAdapter(tb testing.TB, baseURL string) (parley.Adapter, *parley.Channel) {
	tb.Helper()
	ch := kitChannel(baseURL)
	a, err := messenger.New(ch)
	if err != nil {
		tb.Fatal(err)
	}
	return a, ch
}

func kit(tb testing.TB) channeltest.Kit {
	return channeltest.Kit{
		New:  func(tb testing.TB) (parley.Adapter, *parley.Channel) { return kitAdapter(tb, "") },
		Sign: metakit.Sign,
		Valid: metakit.Fixtures(tb, "messenger_text.json", "messenger_quick_reply.json", "messenger_reply_to.json",
			"messenger_attachments.json", "messenger_sticker.json", "messenger_echo.json", "messenger_delivery.json",
			"messenger_delivery_watermark.json", "messenger_read.json", "messenger_postback.json", "messenger_referral.json",
			"messenger_reaction.json", "messenger_edit.json", "messenger_standby.json", "messenger_batch.json",
			"messenger_unknown_fields.json"),
		Batch:     metakit.Batch,
		Handshake: metakit.Handshake(),
		Outbound: &channeltest.Outbound{
			New:       kitAdapter,
			Recipient: parley.Identity{Kind: parley.IdentityMessenger, ScopeChannelID: 7, Value: psid, Verified: true},
			OK:        channeltest.Response{Status: 200, Body: `{"recipient_id":"` + psid + `","message_id":"m_kit1"}`},
			Errors:    metakit.GraphErrors(),
		},
		Limits: channeltest.Limits{TextLimit: 2000, Split: true, ReplyWindow: 24 * time.Hour},
	}
}

func TestConformance(t *testing.T) { channeltest.Run(t, kit(t)) }

func FuzzConformanceParse(f *testing.F) { channeltest.FuzzParseWebhook(f, kit(f)) }
