package storetest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

func testSearch(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	ch := MustCreateChannel(t, st, parley.PlatformWhatsApp)
	myTeam, otherTeam := MustCreateTeam(t, st), MustCreateTeam(t, st)
	agent := MustCreateAgent(t, st, parley.RoleAgent, myTeam.ID)
	supervisor := MustCreateAgent(t, st, parley.RoleSupervisor)

	texts := map[string]string{
		"zh":     "我想申请退款，订单还没到",
		"ja":     "注文番号は1234です",
		"en":     "Hello, I would like a refund for order <b>42</b>",
		"hidden": "秘密的退款请求",
	}
	convs := map[string]*parley.Conversation{}
	for key, text := range texts {
		res := MustIngest(t, st, MessageEvent(ch, "s-"+key, "m-"+key, text, base))[0]
		convs[key] = res.Conversation
	}
	hidden := convs["hidden"]
	if _, err := st.UpdateConversation(ctx, hidden.ID, parley.ConversationUpdate{Version: hidden.Version, TeamID: &otherTeam.ID}); err != nil {
		t.Fatal(err)
	}

	search := func(t *testing.T, who *parley.Agent, q string) *parley.SearchResults {
		t.Helper()
		res, err := st.Search(ctx, parley.SearchQuery{Text: q, AgentID: who.ID})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return res
	}
	cases := []struct {
		query, want, snippet string
	}{
		{"退款", "zh", "我想申请<mark>退款</mark>，订单还没到"},
		{"申请退款", "zh", "我想<mark>申请退款</mark>，订单还没到"},
		{"注文", "ja", "<mark>注文</mark>番号は1234です"},
		{"番", "ja", "注文<mark>番</mark>号は1234です"},
		{"到", "zh", "我想申请退款，订单还没<mark>到</mark>"},
		{"1234", "ja", "注文番号は<mark>1234</mark>です"},
		{"Refund", "en", "Hello, I would like a <mark>refund</mark> for order &lt;b&gt;42&lt;/b&gt;"},
		{"refu ord", "en", "Hello, I would like a <mark>refund</mark> for <mark>order</mark> &lt;b&gt;42&lt;/b&gt;"},
	}
	for _, c := range cases {
		t.Run("finds "+c.query, func(t *testing.T) {
			res := search(t, agent, c.query)
			if len(res.Messages) != 1 || res.Messages[0].ConversationID != convs[c.want].ID {
				t.Fatalf("hits = %+v, want the %s message", res.Messages, c.want)
			}
			if res.Messages[0].Snippet != c.snippet {
				t.Fatalf("snippet = %q, want %q", res.Messages[0].Snippet, c.snippet)
			}
		})
	}

	t.Run("no match inside unrelated text", func(t *testing.T) {
		for _, q := range []string{"退货", "注意", "refunds", "款退"} {
			if res := search(t, agent, q); len(res.Messages) != 0 {
				t.Errorf("%q matched %+v", q, res.Messages)
			}
		}
	})

	t.Run("agents only find tickets they may see", func(t *testing.T) {
		if res := search(t, agent, "秘密"); len(res.Messages) != 0 {
			t.Fatalf("agent found another team's ticket: %+v", res.Messages)
		}
		if res := search(t, supervisor, "秘密"); len(res.Messages) != 1 {
			t.Fatalf("supervisor hits = %+v", res.Messages)
		}
		if res := search(t, supervisor, "退款"); len(res.Messages) != 2 {
			t.Fatalf("supervisor 退款 hits = %d, want 2", len(res.Messages))
		}
		_, err := st.Search(ctx, parley.SearchQuery{Text: "退款", AgentID: supervisor.ID + 100})
		wantCode(t, err, parley.EFORBIDDEN)
	})

	t.Run("contacts and ticket numbers are found", func(t *testing.T) {
		c := &parley.Contact{Name: "山田花子", Email: "hanako@example.jp"}
		if err := st.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		res := search(t, agent, "花子")
		if len(res.Contacts) != 1 || res.Contacts[0].ContactID != c.ID || !strings.Contains(res.Contacts[0].Snippet, "<mark>花子</mark>") {
			t.Fatalf("contacts = %+v", res.Contacts)
		}
		number := convs["en"].Number
		res = search(t, agent, "#"+strconv.FormatInt(number, 10))
		found := false
		for _, h := range res.Conversations {
			found = found || h.ConversationID == convs["en"].ID
		}
		if !found {
			t.Fatalf("ticket #%d not found: %+v", number, res.Conversations)
		}
	})

	t.Run("edits are searchable", func(t *testing.T) {
		MustIngest(t, st, &parley.InboundEvent{Kind: parley.InboundEdit, ChannelID: ch.ID, Platform: ch.Platform, ReplyTo: "m-en",
			Sender: parley.Sender{Kind: parley.IdentityWhatsApp, ID: "s-en"}, Text: "Actually I want an exchange"})
		if res := search(t, agent, "exchange"); len(res.Messages) != 1 {
			t.Fatalf("edited text not found: %+v", res.Messages)
		}
		if res := search(t, agent, "refund"); len(res.Messages) != 0 {
			t.Fatalf("old text still found: %+v", res.Messages)
		}
	})

	t.Run("common words return the newest matches first", func(t *testing.T) {
		var batch []*parley.InboundEvent
		for i := range 1100 {
			batch = append(batch, MessageEvent(ch, "s-bulk", "bulk-"+strconv.Itoa(i), "bulk message "+strconv.Itoa(i), base))
		}
		res := MustIngest(t, st, batch...)
		newest := res[len(res)-1].Message.ID
		hits, err := st.Search(ctx, parley.SearchQuery{Text: "bulk", AgentID: agent.ID, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits.Messages) != 5 || hits.Messages[0].MessageID != newest || hits.Messages[4].MessageID != newest-4 {
			t.Fatalf("hits = %+v, want the 5 newest from %d", hits.Messages, newest)
		}
		hits, _ = st.Search(ctx, parley.SearchQuery{Text: "bulk 1099", AgentID: agent.ID})
		if len(hits.Messages) != 1 || hits.Messages[0].MessageID != newest {
			t.Fatalf("exact hits = %+v", hits.Messages)
		}
	})

	t.Run("empty query finds nothing", func(t *testing.T) {
		res := search(t, agent, "  ，。 ")
		if len(res.Messages)+len(res.Conversations)+len(res.Contacts) != 0 {
			t.Fatalf("results = %+v", res)
		}
	})
}
