package comments_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/meta/comments"
	"github.com/parleyhq/parley/channel/meta/fake"
	"github.com/parleyhq/parley/channel/meta/fake/faketest"
	"github.com/parleyhq/parley/channel/meta/internal/metakit"
)

const (
	pageID = "106900000000001"
	postID = pageID + "_555"
	ana    = "7100000000000001"
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
	cfg := map[string]string{"page_id": pageID}
	if baseURL != "" {
		cfg["graph_base_url"] = baseURL
	}
	ch := &parley.Channel{ID: 8, Platform: parley.PlatformFacebookComments, Config: cfg, Secrets: metakit.Secrets()}
	a, err := comments.New(ch)
	if err != nil {
		tb.Fatal(err)
	}
	return a, ch
}

func MustAdapter(tb testing.TB, baseURL string) *comments.Adapter {
	tb.Helper()
	a, _ := kitAdapter(tb, baseURL)
	return a.(*comments.Adapter)
}

func one(tb testing.TB, evs []*parley.InboundEvent) *parley.InboundEvent {
	tb.Helper()
	if len(evs) != 1 {
		tb.Fatalf("got %d events, want 1: %+v", len(evs), evs)
	}
	return evs[0]
}

func TestParseWebhook(t *testing.T) {
	a := MustAdapter(t, "")
	cases := map[string]func(t *testing.T, evs []*parley.InboundEvent){
		"feed_comment_add.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundMessage || e.ExternalID != "555_1001" || e.ThreadKey != "555_1001" || e.ReplyTo != "" ||
				e.Text != "Do you ship to Portugal?" || e.Direction != parley.DirectionIn || !e.Timestamp.Equal(time.Unix(1700000000, 0)) {
				t.Fatalf("%+v", e)
			}
			if s := e.Sender; s.Kind != parley.IdentityFacebook || s.ID != ana || s.Name != "Ana Lima" || !s.Verified {
				t.Fatalf("sender %+v", s)
			}
			if e.Metadata["post_id"] != postID || e.Metadata["post_link"] != "https://www.facebook.com/shop/posts/555" || e.Metadata["comment_id"] != "555_1001" {
				t.Fatalf("metadata %v", e.Metadata)
			}
		},
		"feed_comment_reply.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.ThreadKey != "555_1001" || e.ReplyTo != "555_1001" || e.ExternalID != "555_1002" || e.Sender.Name != "Bo Chen" {
				t.Fatalf("a reply joins its top-level thread: %+v", e)
			}
		},
		"feed_comment_edited.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundEdit || e.ReplyTo != "555_1001" || e.Targets[0] != "555_1001" || e.Text != "Do you ship to Portugal and Spain?" ||
				!strings.HasPrefix(e.ExternalID, "555_1001#edit:") || e.Metadata["action"] != "edit" {
				t.Fatalf("%+v", e)
			}
		},
		"feed_comment_remove.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundDelete || e.ReplyTo != "555_1001" || e.Metadata["action"] != "remove" || e.Text != "" {
				t.Fatalf("%+v", e)
			}
		},
		"feed_comment_hide.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundDelete || e.ReplyTo != "555_1001" || e.Metadata["action"] != "hide" {
				t.Fatalf("%+v", e)
			}
		},
		"feed_comment_unhide.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Kind != parley.InboundEdit || e.Metadata["action"] != "unhide" || e.Text != "Do you ship to Portugal?" {
				t.Fatalf("%+v", e)
			}
		},
		"feed_comment_page_own.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Direction != parley.DirectionOut || !e.FromAccount || e.Sender.ID != pageID || e.ThreadKey != "555_1001" || e.ExternalID != "555_1003" {
				t.Fatalf("the page's own comment: %+v", e)
			}
		},
		"feed_comment_legacy_sender.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if e.Sender.ID != "7100000000000003" || e.Sender.Name != "Old Format" || e.ThreadKey != "555_1004" {
				t.Fatalf("sender_id/sender_name accepted: %+v", e)
			}
		},
		"feed_comment_photo.json": func(t *testing.T, evs []*parley.InboundEvent) {
			e := one(t, evs)
			if len(e.Attachments) != 1 || e.Attachments[0].Type != "image" || e.Attachments[0].URL != "https://scontent.xx.fbcdn.net/v/broken.jpg" {
				t.Fatalf("%+v", e)
			}
		},
		"feed_post_status.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if len(evs) != 0 {
				t.Fatalf("the page's posts are not tickets: %+v", evs)
			}
		},
		"messenger_text.json": func(t *testing.T, evs []*parley.InboundEvent) {
			if len(evs) != 0 {
				t.Fatalf("messaging belongs to the Messenger channel: %+v", evs)
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
				if e.ChannelID != 8 || e.Platform != parley.PlatformFacebookComments || e.ThreadKey == "" {
					t.Fatalf("common fields %+v", e)
				}
			}
			check(t, evs)
		})
	}
	t.Run("malformed bodies are invalid", func(t *testing.T) {
		for _, body := range []string{`{`, `{"object":"instagram","entry":[]}`, `{"object":"page","entry":[{"changes":"x"}]}`} {
			if _, err := a.ParseWebhook([]byte(body)); parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("%s: err = %v", body, err)
			}
		}
	})
	t.Run("one unreadable change does not drop the others", func(t *testing.T) {
		body := `{"object":"page","entry":[{"id":"` + pageID + `","time":1700000000,"changes":[{"field":"feed","value":{"comment_id":5}},` +
			`{"field":"feed","value":{"from":{"id":"1","name":"A"},"item":"comment","verb":"add","comment_id":"c1","post_id":"p","parent_id":"p","message":"ok"}}]}]}`
		evs, err := a.ParseWebhook([]byte(body))
		if err != nil || len(evs) != 1 || evs[0].ExternalID != "c1" {
			t.Fatalf("%+v %v", evs, err)
		}
	})
}

func threadMessage(body, mode string, lastInbound time.Duration) parley.OutboundMessage {
	at := time.Now().UTC().Add(-lastInbound)
	meta := map[string]string{}
	if mode != "" {
		meta["reply_mode"] = mode
	}
	return parley.OutboundMessage{
		Conversation: &parley.Conversation{ID: 3, ThreadKey: "555_1001", LastInboundAt: &at},
		Recipient:    &parley.Identity{Kind: parley.IdentityFacebook, Value: ana},
		Message:      &parley.Message{ID: 21, Kind: parley.KindText, Body: body, Metadata: meta},
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
	f.AddPage(pageID, "kit-token")
	f.AddComment(pageID, "555_1001", ana, time.Now().Add(-time.Hour))
	f.AddComment(pageID, "555_1009", ana, time.Now().Add(-8*24*time.Hour))
	a := MustAdapter(t, f.URL)
	last := func() fake.Request { r := f.Requests(); return r[len(r)-1] }

	t.Run("public reply by default", func(t *testing.T) {
		res, err := a.Send(t.Context(), threadMessage("Yes, we ship to Portugal!", "", time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		r := last()
		if r.Path != "/555_1001/comments" || r.Form.Get("message") != "Yes, we ship to Portugal!" || r.Query.Get("access_token") != "kit-token" ||
			!strings.HasPrefix(res.ExternalID, "555_1001_r") {
			t.Fatalf("%s %v %+v", r.Path, r.Form, res)
		}
	})
	t.Run("public reply to a chosen comment with an image", func(t *testing.T) {
		m := threadMessage("", "public", time.Hour)
		m.Message.ReplyToID = "555_1001"
		m.Message.Attachments = []parley.Attachment{{Type: "image", URL: "https://files.example/map.png"}}
		if _, err := a.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		if r := last(); r.Form.Get("attachment_url") != "https://files.example/map.png" {
			t.Fatalf("form %v", r.Form)
		}
	})
	t.Run("private reply goes to the inbox once", func(t *testing.T) {
		res, err := a.Send(t.Context(), threadMessage("I sent you the details privately", "private", time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		b := last().JSON()
		if last().Path != "/"+pageID+"/messages" || b["recipient"].(map[string]any)["comment_id"] != "555_1001" || res.ExternalID == "" ||
			b["message"].(map[string]any)["text"] != "I sent you the details privately" {
			t.Fatalf("body %v", b)
		}
		_, err = a.Send(t.Context(), threadMessage("and again", "private", time.Hour))
		if se := sendErr(t, err); se.Class != parley.SendPermanent || se.Code != "10/2018278" {
			t.Fatalf("a second private reply: %+v", se)
		}
	})
	t.Run("private reply after 7 days is refused before sending", func(t *testing.T) {
		before := len(f.Requests())
		m := threadMessage("late", "private", 8*24*time.Hour)
		m.Conversation.ThreadKey = "555_1009"
		_, err := a.Send(t.Context(), m)
		if se := sendErr(t, err); se.Code != "window_closed" || len(f.Requests()) != before {
			t.Fatalf("%+v", se)
		}
	})
	t.Run("unknown reply mode is refused", func(t *testing.T) {
		_, err := a.Send(t.Context(), threadMessage("x", "shout", time.Hour))
		if se := sendErr(t, err); se.Code != "reply_mode" {
			t.Fatalf("%+v", se)
		}
	})
	t.Run("a comment that no longer exists is permanent", func(t *testing.T) {
		m := threadMessage("hello?", "", time.Hour)
		m.Conversation.ThreadKey = "555_gone"
		_, err := a.Send(t.Context(), m)
		if se := sendErr(t, err); se.Class != parley.SendPermanent || se.Code != "100" {
			t.Fatalf("%+v", se)
		}
	})
}

func TestRoundTrip(t *testing.T) {
	f := faketest.MustStart(t, fake.Config{AppSecret: metakit.AppSecret})
	f.AddPage(pageID, "kit-token")
	a := MustAdapter(t, f.URL)
	var mu sync.Mutex
	var got []*parley.InboundEvent
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if a.VerifyWebhook(r, body) != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		evs, _ := a.ParseWebhook(body)
		mu.Lock()
		got = append(got, evs...)
		mu.Unlock()
	}))
	defer hook.Close()
	f.SetWebhookURL(pageID, hook.URL)
	top, err := f.Comment(pageID, postID, "", ana, "Ana Lima", "Is this vegan?")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := f.Comment(pageID, postID, top, "7100000000000002", "Bo", "asking too")
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	evs := append([]*parley.InboundEvent(nil), got...)
	mu.Unlock()
	if len(evs) != 2 || evs[0].ThreadKey != top || evs[1].ThreadKey != top || evs[1].ExternalID != reply {
		t.Fatalf("%+v", evs)
	}
	at := evs[0].Timestamp
	m := threadMessage("It is!", "", 0)
	m.Conversation.ThreadKey, m.Conversation.LastInboundAt = top, &at
	if _, err := a.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
}

func kit(tb testing.TB) channeltest.Kit {
	return channeltest.Kit{
		New:  func(tb testing.TB) (parley.Adapter, *parley.Channel) { return kitAdapter(tb, "") },
		Sign: metakit.Sign,
		Valid: [][]byte{MustFixture(tb, "feed_comment_add.json"), MustFixture(tb, "feed_comment_reply.json"),
			MustFixture(tb, "feed_comment_edited.json"), MustFixture(tb, "feed_comment_remove.json"), MustFixture(tb, "feed_comment_hide.json"),
			MustFixture(tb, "feed_comment_unhide.json"), MustFixture(tb, "feed_comment_page_own.json"),
			MustFixture(tb, "feed_comment_legacy_sender.json"), MustFixture(tb, "feed_comment_photo.json")},
		Batch:     metakit.Batch,
		Handshake: metakit.Handshake(),
		Outbound: &channeltest.Outbound{
			New: kitAdapter,
			Message: func(ch *parley.Channel, text string) parley.OutboundMessage {
				m := channeltest.DefaultMessage(ch, parley.Identity{Kind: parley.IdentityFacebook, ScopeChannelID: ch.ID, Value: ana}, time.Now().UTC(), text)
				m.Conversation.ThreadKey = "555_1001"
				return m
			},
			OK:     channeltest.Response{Status: 200, Body: `{"id":"555_2001"}`},
			Errors: metakit.GraphErrors(),
		},
		Limits: channeltest.Limits{TextLimit: comments.FacebookCommentLimit},
	}
}

func TestConformance(t *testing.T) { channeltest.Run(t, kit(t)) }

func FuzzConformanceParse(f *testing.F) { channeltest.FuzzParseWebhook(f, kit(f)) }
