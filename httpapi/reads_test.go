package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/httpapi"
)

// markCall is one read receipt an adapter was asked to send.
type markCall struct {
	recipient string
	messageID string
}

type markRecorder struct {
	mu    sync.Mutex
	calls []markCall
}

func (r *markRecorder) Calls() []markCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]markCall(nil), r.calls...)
}

// markingAdapter is the API test adapter that can also mark messages read.
type markingAdapter struct {
	TestAdapter
	rec *markRecorder
}

func (a *markingAdapter) MarkRead(_ context.Context, recipient *parley.Identity, messageID string) error {
	a.rec.mu.Lock()
	defer a.rec.mu.Unlock()
	who := ""
	if recipient != nil {
		who = recipient.Value
	}
	a.rec.calls = append(a.rec.calls, markCall{who, messageID})
	return nil
}

func TestReadMarkersOverHTTP(t *testing.T) {
	rec := &markRecorder{}
	e := MustEnv(t, func(c *httpapi.Config) {
		reg := channel.NewRegistry()
		reg.Register(parley.PlatformAPI, func(ch *parley.Channel) (parley.Adapter, error) {
			return &markingAdapter{TestAdapter: TestAdapter{ch: ch}, rec: rec}, nil
		})
		c.Adapters = reg
	})
	ana := e.MustToken(t, e.MustAgent(t, "ana@x.test", parley.RoleAgent))
	ben := e.MustToken(t, e.MustAgent(t, "ben@x.test", parley.RoleAgent))
	conv := e.MustConversation(t, "cust-1")
	if again := e.MustConversation(t, "cust-1"); again.ID != conv.ID {
		t.Fatalf("second message opened ticket %d", again.ID)
	}
	other := e.MustConversation(t, "cust-2")
	msgs := MustDecode[struct{ Items []*parley.Message }](t, Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/conversations/" + itoa(conv.ID) + "/messages", Token: ana})).Items
	if len(msgs) != 2 {
		t.Fatalf("messages: %d", len(msgs))
	}
	m1, m2 := msgs[0], msgs[1]
	read := func(token string, convID, messageID int64) int {
		t.Helper()
		return Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/conversations/" + itoa(convID) + "/read", Token: token,
			Body: map[string]any{"message_id": messageID}}).Code
	}
	unreadInList := func(token string) map[int64]bool {
		t.Helper()
		r := Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/conversations", Token: token})
		page := MustDecode[struct {
			Items []map[string]any `json:"items"`
		}](t, r)
		out := map[int64]bool{}
		for _, c := range page.Items {
			u, ok := c["unread"].(bool)
			if !ok {
				t.Fatalf("conversation without a boolean unread: %v", c)
			}
			out[int64(c["id"].(float64))] = u
		}
		return out
	}

	t.Run("new tickets are unread for everyone", func(t *testing.T) {
		if got := unreadInList(ana); !got[conv.ID] || !got[other.ID] {
			t.Errorf("ana: %v", got)
		}
	})
	t.Run("reading to the last message makes it read for that agent only", func(t *testing.T) {
		if code := read(ana, conv.ID, m2.ID); code != http.StatusNoContent {
			t.Fatalf("read: %d", code)
		}
		if got := unreadInList(ana); got[conv.ID] || !got[other.ID] {
			t.Errorf("ana's list: %v; want only the other ticket unread", got)
		}
		if got := unreadInList(ben); !got[conv.ID] {
			t.Errorf("ben's list: %v; he read nothing", got)
		}
		one := MustDecode[*parley.Conversation](t, Do(t, e.Srv, Req{Method: "GET", Path: "/api/v1/conversations/" + itoa(conv.ID), Token: ana}))
		if one.Unread == nil || *one.Unread {
			t.Errorf("GET one ticket: unread %v, want false", one.Unread)
		}
	})
	t.Run("an older position does not move it back", func(t *testing.T) {
		if code := read(ana, conv.ID, m1.ID); code != http.StatusNoContent {
			t.Fatalf("read: %d", code)
		}
		if got := unreadInList(ana); got[conv.ID] {
			t.Errorf("unread again after reporting an older message: %v", got)
		}
	})
	t.Run("the platform hears of each customer message once", func(t *testing.T) {
		if code := read(ben, conv.ID, m2.ID); code != http.StatusNoContent {
			t.Fatalf("read: %d", code)
		}
		e.Srv.WaitBackground()
		calls := rec.Calls()
		if len(calls) != 1 || calls[0].messageID != m2.ExternalID || calls[0].recipient != "cust-1" {
			t.Errorf("MarkRead calls %+v; want one for %s to cust-1", calls, m2.ExternalID)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		for name, c := range map[string]struct {
			conv, msg int64
			want      int
		}{
			"no message":                {conv.ID, 0, http.StatusBadRequest},
			"message of another ticket": {other.ID, m1.ID, http.StatusBadRequest},
			"unknown ticket":            {999999, m1.ID, http.StatusNotFound},
		} {
			if code := read(ana, c.conv, c.msg); code != c.want {
				t.Errorf("%s: %d, want %d", name, code, c.want)
			}
		}
	})
}
