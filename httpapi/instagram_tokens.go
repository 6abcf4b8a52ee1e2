package httpapi

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// InstagramRefreshBefore is how long before its expiry an Instagram Login
// token is refreshed: Instagram tokens last 60 days and can be refreshed
// once a day old, so a week leaves room for days of failed attempts.
const InstagramRefreshBefore = 7 * 24 * time.Hour

// RefreshInstagramTokens refreshes the tokens of the Instagram Login
// channels that expire within InstagramRefreshBefore (config
// token_expires_at, set on connect) and reports how many it refreshed. A
// failing channel is logged and the others still refresh; an expired
// token cannot be refreshed: the channel must be connected again.
func (m *MetaConnect) RefreshInstagramTokens(ctx context.Context, st parley.ChannelService, now time.Time, log *slog.Logger) (int, error) {
	if !m.enabled() {
		return 0, nil
	}
	chans, err := st.FindChannels(ctx)
	if err != nil {
		return 0, err
	}
	app := m.instagramApp()
	n := 0
	for _, ch := range chans {
		exp, err := time.Parse(time.RFC3339, ch.Config["token_expires_at"])
		if ch.Platform != parley.PlatformInstagram || ch.Config["instagram_login"] != "true" || ch.Status == parley.ChannelDisabled ||
			err != nil || exp.Sub(now) > InstagramRefreshBefore || !exp.After(now) {
			continue
		}
		tok, err := app.Refresh(ctx, ch.Secrets["access_token"])
		if err != nil {
			log.WarnContext(ctx, "refreshing an Instagram token", "channel_id", ch.ID, "err", err)
			continue
		}
		expires := now.Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Format(time.RFC3339)
		upd := parley.ChannelUpdate{Config: map[string]*string{"token_expires_at": &expires}, Secrets: map[string]*string{"access_token": &tok.AccessToken}}
		if _, err := st.UpdateChannel(ctx, ch.ID, upd); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
