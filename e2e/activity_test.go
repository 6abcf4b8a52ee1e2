package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// TestActivityLinesInTheAgentsLanguage changes a ticket through the API
// (status, priority, assignee, tags, a merge) and checks that the thread
// words each activity line from its metadata, in English and in Chinese,
// rather than showing the English text the server stored.
func TestActivityLinesInTheAgentsLanguage(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	n.MustPostInbound(t, []InboundMessage{
		{ID: "act-1", Contact: contact("cust-act", "Omar Haddad", "omar@example.com"), Text: "The invoice total is wrong.", Timestamp: ago(20 * time.Minute)},
		{ID: "act-2", Contact: contact("cust-act", "Omar Haddad", "omar@example.com"), Text: "Second question, other thread.", Timestamp: ago(10 * time.Minute), Thread: "t-2"},
	}, nil)
	convs := n.MustWaitConversations(t, 2)
	var target, source *parley.Conversation
	for _, c := range convs {
		if c.ThreadKey == "t-2" {
			source = c
		} else {
			target = c
		}
	}
	if target == nil || source == nil {
		t.Fatalf("tickets: %+v", convs)
	}
	var bo parley.Agent
	var agents struct{ Items []*parley.Agent }
	n.Do(t, "GET", "/api/v1/agents", nil, &agents)
	for _, a := range agents.Items {
		if a.Name == "Bo Chen" {
			bo = *a
		}
	}
	c := target
	for _, change := range []map[string]any{
		{"status": "pending"}, {"priority": 3}, {"assignee_id": bo.ID}, {"add_tags": []string{"refund"}},
	} {
		change["version"] = c.Version
		c = &parley.Conversation{}
		n.Do(t, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", target.ID), change, c)
	}
	n.Do(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/merge", target.ID), map[string]any{"source_id": source.ID}, &parley.Conversation{})

	ctx := MustBrowser(t, 1280, 800)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	lines := func(t *testing.T) string {
		run(t, ctx, "open the ticket",
			chromedp.Navigate(fmt.Sprintf("%s/inbox/all/%d", n.Base, target.ID)),
			until(`document.querySelectorAll('.activity-line').length >= 5`),
			until(`document.querySelectorAll('.activity-line .muted').length >= 5`), // actors' names, once the directory loaded
		)
		return get(t, ctx, "activity lines", chromedp.Evaluate[string](`[...document.querySelectorAll('.activity-line')].map((e) => e.textContent).join('\n')`))
	}

	t.Run("english", func(t *testing.T) {
		got := lines(t)
		for _, want := range []string{"Status changed from Open to Pending", "Priority changed to Urgent", "Assigned to Bo Chen", "Tagged refund",
			fmt.Sprintf("Merged #%d into this conversation", source.Number), "by Ana Souza"} {
			if !strings.Contains(got, want) {
				t.Errorf("activity lines lack %q:\n%s", want, got)
			}
		}
	})

	t.Run("chinese", func(t *testing.T) {
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
		defer n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en"}, nil)
		got := lines(t)
		for _, want := range []string{"状态从 处理中 改为 待回复", "优先级改为 紧急", "已分配给 Bo Chen", "添加标签 refund",
			fmt.Sprintf("已将 #%d 合并到此会话", source.Number)} {
			if !strings.Contains(got, want) {
				t.Errorf("activity lines lack %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "Status changed") || strings.Contains(got, "Assigned to") {
			t.Errorf("English server text shown to a Chinese agent:\n%s", got)
		}
		screenshot(t, ctx, "activity-zh-CN")
	})
}
