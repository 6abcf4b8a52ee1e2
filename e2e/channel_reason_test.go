package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// TestChannelReasonInTheAgentsLanguage: a channel the sender disconnected
// (the platform refused its token) says why in the admin's language; the
// platform's own English words follow as the detail.
func TestChannelReasonInTheAgentsLanguage(t *testing.T) {
	n := MustStartNode(t, true)
	n.MustSeed(t)
	status, reason := parley.ChannelDisconnected, "Error validating access token: Session has expired"
	if _, err := n.App.Store.UpdateChannel(context.Background(), n.Channel.ID, parley.ChannelUpdate{Status: &status, StatusReason: &reason}); err != nil {
		t.Fatal(err)
	}
	var ch parley.Channel
	n.Do(t, "GET", fmt.Sprintf("/api/v1/channels/%d", n.Channel.ID), nil, &ch)
	if ch.StatusCode != parley.ChannelReasonAuth || ch.StatusReason != reason {
		t.Fatalf("channel status %q (%q), want the code beside the English reason", ch.StatusCode, ch.StatusReason)
	}
	ctx := MustBrowser(t, 1280, 800)
	signIn(t, ctx, n.Base, adminEmail, adminPassword)
	reasonText := func(t *testing.T) string {
		t.Helper()
		run(t, ctx, "channels", chromedp.Navigate(n.Base+"/admin/channels"), chromedp.WaitVisible(chromedp.CSS(`.chan-reason[data-code=auth_failed]`)))
		return get(t, ctx, "reason", chromedp.Text(chromedp.CSS(`.chan-reason`)))
	}
	t.Run("english", func(t *testing.T) {
		if got := reasonText(t); !strings.Contains(got, "the platform refused this channel's credentials") || !strings.Contains(got, "Session has expired") {
			t.Errorf("reason = %q", got)
		}
	})
	t.Run("chinese", func(t *testing.T) {
		n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}, nil)
		defer n.Do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en"}, nil)
		if got := reasonText(t); !strings.Contains(got, "平台拒绝了此渠道的凭据") || !strings.Contains(got, "Session has expired") {
			t.Errorf("reason in Chinese = %q", got)
		}
	})
}
