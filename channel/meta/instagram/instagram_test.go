package instagram_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
	"github.com/parleyhq/parley/channel/meta/instagram"
	"github.com/parleyhq/parley/channel/meta/internal/metakit"
)

const (
	igID  = "17841400000000001"
	igsid = "5410000000000001"
)

func MustFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func kitAdapter(tb testing.TB, baseURL string) (parley.Adapter, *parley.Channel) {
	tb.Helper()
	return MustNew(tb, map[string]string{"graph_base_url": baseURL})
}

func MustNew(tb testing.TB, config map[string]string) (parley.Adapter, *parley.Channel) {
	tb.Helper()
	cfg := map[string]string{"ig_account_id": igID}
	for k, v := range config {
		if v != "" {
			cfg[k] = v
		}
	}
	ch := &parley.Channel{ID: 6, Platform: parley.PlatformInstagram, Config: cfg, Secrets: metakit.Secrets()}
	a, err := instagram.New(ch)
	if err != nil {
		tb.Fatal(err)
	}
	return a, ch
}

func one(tb testing.TB, evs []*parley.InboundEvent) *parley.InboundEvent {
	tb.Helper()
	if len(evs) != 1 {
		tb.Fatalf("got %d events, want 1: %+v", len(evs), evs)
	}
	return evs[0]
}

func TestParseWebhook(t *testing.T) {
	a, _ := MustNew(t, nil)
	cases := map[string]func(t *testing.T, evs []*parley.InboundEvent){
		"instagram_text.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundMessage || e.ExternalID != "aWdfZAG1_text" || e.Text != "Is this in stock?" || e.ThreadKey != "" ||
				e.Sender.Kind != parley.IdentityInstagram || e.Sender.ID != igsid || !e.Sender.Verified {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_attachments.json": func(t *testing.T, evs []*parley.InboundEvent) {
			var types []string
			for _, at := range one(t, evs).Attachments {
				types = append(types, at.Type)
			}
			if strings.Join(types, " ") != "image video audio file share story_mention share" {
				t.Fatalf("types %v", types)
			}
		},
		"instagram_echo.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Direction != parley.DirectionOut || e.Sender.ID != igsid {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_deleted.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Kind != parley.InboundDelete || e.ReplyTo != "aWdfZAG1_text" || e.ExternalID == "aWdfZAG1_text" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_unsupported.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Kind != parley.InboundMessage || e.Metadata["unsupported"] != "true" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_quick_reply.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Metadata["payload"] != "SIZE_M" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_reply_story.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Metadata["reply_to_story_id"] != "17890000000000001" || !strings.Contains(e.Metadata["reply_to_story_url"], "asset_id=9") {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_reply_to.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.ReplyTo != "aWdfZAG1_text" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_referral_product.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Metadata["referral_product_id"] != "7800000000000001" || e.Text != "price?" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_seen.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundReceipt || e.Status != parley.MessageRead || e.Targets[0] != "aWdfZAG1_echo" || e.Watermark != nil {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_reaction.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Kind != parley.InboundReaction || e.ReplyTo != "aWdfZAG1_echo" || e.Text != "❤️" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_postback.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Text != "Track order" || e.Metadata["payload"] != "TRACK" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_standby.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Metadata["standby"] != "true" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_comment.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.ThreadKey != "17860000000000001" || e.ExternalID != "17860000000000001" || e.Sender.Username != "ana.lima" ||
				e.Metadata["media_id"] != "17890000000000100" || e.Metadata["media_product_type"] != "FEED" || e.Timestamp.IsZero() {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_comment_reply.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.ThreadKey != "17860000000000001" || e.ReplyTo != "17860000000000001" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_comment_own.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Direction != parley.DirectionOut || !e.FromAccount {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_live_comment.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Metadata["comment_field"] != "live_comments" || e.Text != "hi from live" {
				t.Fatalf("%+v", e)
			}
		},
		"instagram_comment_ad.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if e := one(t, evs); e.Metadata["ad_id"] != "23850000000000001" || e.Metadata["ad_title"] != "Winter sale" {
				t.Fatalf("%+v", e)
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
				if e.ChannelID != 6 || e.Platform != parley.PlatformInstagram || e.Sender.Kind != parley.IdentityInstagram {
					t.Fatalf("common fields %+v", e)
				}
			}
			check(t, evs)
		})
	}
	t.Run("a page body is invalid here", func(t *testing.T) {
		if _, err := a.ParseWebhook(MustFixture(t, "messenger_text.json")); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
}

func dm(body string, lastInbound time.Duration) parley.OutboundMessage {
	at := time.Now().UTC().Add(-lastInbound)
	return parley.OutboundMessage{
		Conversation: &parley.Conversation{ID: 4, LastInboundAt: &at},
		Recipient:    &parley.Identity{Kind: parley.IdentityInstagram, Value: igsid},
		Message:      &parley.Message{ID: 31, Kind: parley.KindText, Body: body},
	}
}

func sendErr(t *testing.T, err error) *parley.SendError {
	t.Helper()
	var se *parley.SendError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *parley.SendError", err)
	}
	return se
}

func TestSend(t *testing.T) {
	f := faketest.MustStart(t, fake.Config{AppSecret: metakit.AppSecret})
	f.AddInstagram(igID, "kit-token")
	f.SetInbound(igID, igsid, time.Now().Add(-time.Hour))
	f.AddComment(igID, "17860000000000001", "17841400000000009", time.Now().Add(-time.Hour))
	a, _ := MustNew(t, map[string]string{"graph_base_url": f.URL, "human_agent_enabled": "true"})
	last := func() fake.Request { r := f.Requests(); return r[len(r)-1] }

	t.Run("direct message via /me/messages", func(t *testing.T) {
		res, err := a.Send(t.Context(), dm("Yes, size M is in stock", time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		r := last()
		if r.Path != "/me/messages" || r.Query.Get("access_token") != "kit-token" || res.ExternalID == "" ||
			r.JSON()["recipient"].(map[string]any)["id"] != igsid || r.JSON()["messaging_type"] != "RESPONSE" {
			t.Fatalf("%s %s", r.Path, r.Body)
		}
	})
	t.Run("HUMAN_AGENT after 24 h", func(t *testing.T) {
		f.SetInbound(igID, igsid, time.Now().Add(-3*24*time.Hour))
		if _, err := a.Send(t.Context(), dm("following up", 3*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b := last().JSON(); b["tag"] != "HUMAN_AGENT" {
			t.Fatalf("%v", b)
		}
	})
	t.Run("text limit counts bytes", func(t *testing.T) {
		_, err := a.Send(t.Context(), dm(strings.Repeat("é", 501), time.Hour))
		if se := sendErr(t, err); se.Code != "text_too_long" || !strings.Contains(se.Reason, "1000") {
			t.Fatalf("%+v", se)
		}
	})
	t.Run("public comment reply via /replies", func(t *testing.T) {
		m := dm("Link in bio!", time.Hour)
		m.Conversation.ThreadKey = "17860000000000001"
		res, err := a.Send(t.Context(), m)
		if err != nil {
			t.Fatal(err)
		}
		if r := last(); r.Path != "/17860000000000001/replies" || r.Form.Get("message") != "Link in bio!" || res.ExternalID == "" {
			t.Fatalf("%s %v", r.Path, r.Form)
		}
	})
	t.Run("private comment reply", func(t *testing.T) {
		m := dm("Sent you a DM", time.Hour)
		m.Conversation.ThreadKey = "17860000000000001"
		m.Message.Metadata = map[string]string{"reply_mode": "private"}
		if _, err := a.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		if b := last().JSON(); b["recipient"].(map[string]any)["comment_id"] != "17860000000000001" {
			t.Fatalf("%v", b)
		}
	})
	t.Run("Instagram Login sends to /{ig-id}/messages with a Bearer token", func(t *testing.T) {
		f.SetInbound(igID, igsid, time.Now().Add(-time.Minute))
		il, _ := MustNew(t, map[string]string{"graph_base_url": f.URL, "instagram_login": "true"})
		if _, err := il.Send(t.Context(), dm("hi", time.Hour)); err != nil {
			t.Fatal(err)
		}
		if r := last(); r.Path != "/"+igID+"/messages" || r.Header.Get("Authorization") != "Bearer kit-token" || r.Query.Get("access_token") != "" {
			t.Fatalf("%s %v %v", r.Path, r.Header, r.Query)
		}
		ig, _ := MustNew(t, map[string]string{"graph_base_url": "https://graph.instagram.com"})
		if ig.(*instagram.Adapter).Client.Auth == 0 {
			t.Fatal("graph.instagram.com implies Instagram Login")
		}
	})
}

func kit(tb testing.TB) channeltest.Kit {
	var valid [][]byte
	for _, n := range []string{"instagram_text.json", "instagram_attachments.json", "instagram_echo.json", "instagram_deleted.json",
		"instagram_unsupported.json", "instagram_quick_reply.json", "instagram_reply_story.json", "instagram_reply_to.json",
		"instagram_referral_product.json", "instagram_seen.json", "instagram_reaction.json", "instagram_postback.json",
		"instagram_standby.json", "instagram_comment.json", "instagram_comment_reply.json", "instagram_comment_own.json",
		"instagram_live_comment.json", "instagram_comment_ad.json"} {
		valid = append(valid, MustFixture(tb, n))
	}
	return channeltest.Kit{
		New:       func(tb testing.TB) (parley.Adapter, *parley.Channel) { return MustNew(tb, nil) },
		Sign:      metakit.Sign,
		Valid:     valid,
		Batch:     metakit.Batch,
		Handshake: metakit.Handshake(),
		Outbound: &channeltest.Outbound{
			New:       kitAdapter,
			Recipient: parley.Identity{Kind: parley.IdentityInstagram, ScopeChannelID: 6, Value: igsid, Verified: true},
			OK:        channeltest.Response{Status: 200, Body: `{"recipient_id":"` + igsid + `","message_id":"aWdfkit"}`},
			Errors:    metakit.GraphErrors(),
		},
		Limits: channeltest.Limits{TextLimit: 1000, TextLimitBytes: true, Split: true, ReplyWindow: 24 * time.Hour},
	}
}

func TestConformance(t *testing.T) { channeltest.Run(t, kit(t)) }

func FuzzConformanceParse(f *testing.F) { channeltest.FuzzParseWebhook(f, kit(f)) }
