package parley_test

import (
	"testing"

	"github.com/parleyhq/parley"
)

func TestChannelStatusCode(t *testing.T) {
	cases := []struct {
		status parley.ChannelStatus
		reason string
		want   string
	}{
		{parley.ChannelActive, "", ""},
		{parley.ChannelActive, "token expired", ""}, // a stale reason on an active channel means nothing
		{parley.ChannelDisconnected, "", ""},
		{parley.ChannelDisconnected, "Error validating access token: Session has expired", parley.ChannelReasonAuth},
		{parley.ChannelDisconnected, parley.WebhookSubscriptionFailed + "(#200) Permissions error", parley.ChannelReasonWebhook},
	}
	for _, c := range cases {
		if got := parley.ChannelStatusCode(c.status, c.reason); got != c.want {
			t.Errorf("ChannelStatusCode(%q, %q) = %q, want %q", c.status, c.reason, got, c.want)
		}
	}
}
