package graph_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

func TestSignature(t *testing.T) {
	body := []byte(`{"object":"page","entry":[]}`)
	const vector = "sha256=0e9e0080a310f376450c46d999aa4d49ed772bfe43c13205f38a3a6e6611ed2b"
	t.Run("matches the PLATFORMS.md test vector", func(t *testing.T) {
		if got := graph.Sign("appsecret", body); got != vector {
			t.Fatalf("Sign = %s", got)
		}
		if err := graph.VerifySignature("appsecret", vector, body); err != nil {
			t.Fatalf("vector refused: %v", err)
		}
	})
	for name, tc := range map[string]struct{ secret, header string }{
		"wrong secret":       {"other", vector},
		"missing header":     {"appsecret", ""},
		"sha1 legacy header": {"appsecret", "sha1=0e9e0080a310f376450c46d999aa4d49ed772bfe"},
		"not hex":            {"appsecret", "sha256=zz"},
		"truncated":          {"appsecret", vector[:40]},
		"no secret set":      {"", vector},
	} {
		t.Run("refuses "+name, func(t *testing.T) {
			err := graph.VerifySignature(tc.secret, tc.header, body)
			if parley.ErrorCode(err) != parley.EUNAUTHORIZED {
				t.Fatalf("err = %v, want unauthorized", err)
			}
		})
	}
	t.Run("refuses a tampered body", func(t *testing.T) {
		err := graph.VerifySignature("appsecret", vector, []byte(`{"object":"page","entry":[{}]}`))
		if parley.ErrorCode(err) != parley.EUNAUTHORIZED {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestHandshake(t *testing.T) {
	get := func(q string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		if !graph.Handshake(w, httptest.NewRequest(http.MethodGet, "/hooks/messenger/1?"+q, nil), "tok") {
			t.Fatal("GET not answered")
		}
		return w
	}
	t.Run("echoes the raw challenge on a matching token", func(t *testing.T) {
		w := get("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=tok")
		if w.Code != 200 || w.Body.String() != "1158201444" {
			t.Fatalf("got %d %q", w.Code, w.Body.String())
		}
	})
	for name, q := range map[string]string{
		"wrong token":   "hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope",
		"wrong mode":    "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=tok",
		"missing token": "hub.mode=subscribe&hub.challenge=1",
	} {
		t.Run("403 on "+name, func(t *testing.T) {
			if w := get(q); w.Code != http.StatusForbidden || w.Body.String() == "1\n" {
				t.Fatalf("got %d %q", w.Code, w.Body.String())
			}
		})
	}
	t.Run("leaves POSTs alone", func(t *testing.T) {
		w := httptest.NewRecorder()
		if graph.Handshake(w, httptest.NewRequest(http.MethodPost, "/", nil), "tok") {
			t.Fatal("answered a POST")
		}
	})
	t.Run("an empty configured token never matches", func(t *testing.T) {
		w := httptest.NewRecorder()
		graph.Handshake(w, httptest.NewRequest(http.MethodGet, "/?hub.mode=subscribe&hub.challenge=5&hub.verify_token=", nil), "")
		if w.Code != http.StatusForbidden {
			t.Fatalf("got %d", w.Code)
		}
	})
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		class  parley.SendErrorClass
		code   string
	}{
		{"app throttling 4", 400, `{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4,"fbtrace_id":"A"}}`, parley.SendRateLimited, "4"},
		{"user throttling 17", 400, `{"error":{"message":"(#17) User request limit reached","code":17}}`, parley.SendRateLimited, "17"},
		{"page throttling 32", 400, `{"error":{"message":"(#32) Page request limit reached","code":32}}`, parley.SendRateLimited, "32"},
		{"613", 400, `{"error":{"message":"Calls to this api have exceeded the rate limit.","code":613}}`, parley.SendRateLimited, "613"},
		{"WABA 80007", 400, `{"error":{"message":"(#80007) Rate limit issues","code":80007}}`, parley.SendRateLimited, "80007"},
		{"throughput 130429", 400, `{"error":{"message":"(#130429) Rate limit hit","code":130429}}`, parley.SendRateLimited, "130429"},
		{"pair rate 131056", 400, `{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","code":131056}}`, parley.SendRateLimited, "131056"},
		{"unexpected 1", 500, `{"error":{"message":"An unknown error occurred","code":1}}`, parley.SendTransient, "1"},
		{"service 2", 503, `{"error":{"message":"Service temporarily unavailable","code":2,"is_transient":true}}`, parley.SendTransient, "2"},
		{"bare 502", 502, `<html>bad gateway</html>`, parley.SendTransient, "0"},
		{"token 190", 401, `{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463}}`, parley.SendAuth, "190/463"},
		{"window closed", 400, `{"error":{"message":"(#10) This message is sent outside of allowed window.","type":"OAuthException","code":10,"error_subcode":2018278}}`, parley.SendPermanent, "10/2018278"},
		{"re-engagement", 400, `{"error":{"message":"Re-engagement message","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}}`, parley.SendPermanent, "131047"},
		{"blocked", 400, `{"error":{"message":"(#551) This person isn't available right now.","code":551,"error_subcode":1545041}}`, parley.SendPermanent, "551/1545041"},
		{"undeliverable", 400, `{"error":{"message":"Message Undeliverable.","code":131026}}`, parley.SendPermanent, "131026"},
		{"bad parameter", 400, `{"error":{"message":"(#100) Invalid parameter","code":100}}`, parley.SendPermanent, "100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			se := graph.Classify(graph.ParseError(tc.status, nil, []byte(tc.body)))
			if se.Class != tc.class || se.Code != tc.code {
				t.Fatalf("got %s %s (%s), want %s %s", se.Class, se.Code, se.Reason, tc.class, tc.code)
			}
			if tc.class == parley.SendRateLimited && se.RetryAfter <= 0 {
				t.Fatal("rate limit without RetryAfter")
			}
			if se.Reason == "" {
				t.Fatal("no reason kept")
			}
		})
	}
	t.Run("keeps Meta's message and WhatsApp details as the reason", func(t *testing.T) {
		se := graph.Classify(graph.ParseError(400, nil, []byte(cases[12].body)))
		if se.Reason != "Re-engagement message (Message failed to send because more than 24 hours have passed since the customer last replied to this number.)" {
			t.Fatalf("reason = %q", se.Reason)
		}
	})
	t.Run("Retry-After header wins", func(t *testing.T) {
		h := http.Header{"Retry-After": {"7"}}
		se := graph.Classify(graph.ParseError(429, h, []byte(cases[0].body)))
		if se.RetryAfter != 7*time.Second {
			t.Fatalf("RetryAfter = %v", se.RetryAfter)
		}
	})
	t.Run("network failures are transient", func(t *testing.T) {
		se := graph.Classify(&graph.NetworkError{Err: errors.New("connection refused")})
		if se.Class != parley.SendTransient {
			t.Fatalf("class = %s", se.Class)
		}
	})
}

func TestMessengerWindow(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	cases := []struct {
		name       string
		last       *time.Time
		humanAgent bool
		wantType   string
		wantTag    string
		closed     bool
	}{
		{"fresh message is a response", ago(time.Hour), false, "RESPONSE", "", false},
		{"exactly 24 h is still inside", ago(24 * time.Hour), false, "RESPONSE", "", false},
		{"25 h without human agent is closed", ago(25 * time.Hour), false, "", "", true},
		{"25 h with human agent is tagged", ago(25 * time.Hour), true, "MESSAGE_TAG", "HUMAN_AGENT", false},
		{"8 days is closed even with human agent", ago(8 * 24 * time.Hour), true, "", "", true},
		{"never wrote is closed", nil, true, "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := graph.MessengerWindow(tc.last, now, tc.humanAgent)
			if tc.closed {
				var se *parley.SendError
				if !errors.As(err, &se) || se.Class != parley.SendPermanent || se.Code != graph.WindowClosedCode {
					t.Fatalf("err = %v, want window_closed", err)
				}
				return
			}
			if err != nil || d.MessagingType != tc.wantType || d.Tag != tc.wantTag {
				t.Fatalf("got %+v %v", d, err)
			}
		})
	}
}

func TestLoadSettings(t *testing.T) {
	ch := &parley.Channel{ID: 3, Config: map[string]string{"page_id": "42"}, Secrets: map[string]string{"access_token": "t"}}
	s, err := graph.LoadSettings(ch, "page_id")
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != "v25.0" || s.BaseURL != "https://graph.facebook.com" || s.AccountID != "42" || s.HumanAgent {
		t.Fatalf("defaults: %+v", s)
	}
	t.Run("requires the account id", func(t *testing.T) {
		if _, err := graph.LoadSettings(ch, "phone_number_id"); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("refuses a non-http base URL", func(t *testing.T) {
		bad := &parley.Channel{Config: map[string]string{"page_id": "1", "graph_base_url": "file:///etc"}}
		if _, err := graph.LoadSettings(bad, "page_id"); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("reads overrides", func(t *testing.T) {
		c := &parley.Channel{Config: map[string]string{"page_id": "1", "graph_version": "26.0", "graph_base_url": "http://127.0.0.1:9/",
			"human_agent_enabled": "true", "media_hosts": "example.org, cdn.test", "media_max_bytes": "10", "text_limit": "500"}}
		s, err := graph.LoadSettings(c, "page_id")
		if err != nil {
			t.Fatal(err)
		}
		if s.Version != "v26.0" || s.BaseURL != "http://127.0.0.1:9" || !s.HumanAgent || len(s.MediaHosts) != 2 || s.MediaMaxBytes != 10 || s.TextLimit != 500 {
			t.Fatalf("%+v", s)
		}
	})
}

func TestFlexTime(t *testing.T) {
	for in, want := range map[string]int64{
		`1700000000`: 1700000000, `"1700000000"`: 1700000000, `1700000000123`: 1700000000,
		`"2023-11-14T22:13:20+0000"`: 1700000000, `"2023-11-14T22:13:20Z"`: 1700000000,
	} {
		var ft graph.FlexTime
		if err := ft.UnmarshalJSON([]byte(in)); err != nil || ft.Unix() != want {
			t.Errorf("%s → %v %v", in, ft.Time, err)
		}
	}
	var ft graph.FlexTime
	if ft.UnmarshalJSON([]byte(`"yesterday"`)) == nil {
		t.Error("accepted a word as a time")
	}
}

func TestClientSendsTokenAsConfigured(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Write([]byte(`{"id":"1"}`))
	}))
	defer srv.Close()
	c := &graph.Client{BaseURL: srv.URL, Version: "v25.0", Token: "secret"}
	if err := c.PostForm(t.Context(), "/123/comments", url.Values{"message": {"hi"}}, nil); err != nil {
		t.Fatal(err)
	}
	if got.URL.Path != "/v25.0/123/comments" || got.URL.Query().Get("access_token") != "secret" {
		t.Fatalf("query auth: %s", got.URL)
	}
	c.Auth = graph.AuthBearer
	if err := c.Get(t.Context(), "/m1", nil); err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Authorization") != "Bearer secret" || got.URL.Query().Get("access_token") != "" {
		t.Fatalf("bearer auth: %v %s", got.Header, got.URL)
	}
}
