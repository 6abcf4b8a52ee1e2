package httpapi

import (
	"context"
	"net/http"

	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/connect"
)

// handleConnectInstagram sends the admin to Instagram's login dialog
// (Instagram API with Instagram Login: no Facebook Page needed).
func (s *Server) handleConnectInstagram(w http.ResponseWriter, r *http.Request) {
	m := s.cfg.Meta
	if !m.enabled() {
		s.writeError(w, r, errMetaNotConfigured)
		return
	}
	state := m.signState(agentFrom(r.Context()).ID, s.clock.Now())
	http.Redirect(w, r, m.instagramApp().LoginURL(m.instagramRedirectURI(), state), http.StatusFound)
}

// handleConnectInstagramCallback finishes Instagram Login: code → short
// token → 60-day token → the account's id and name → its webhooks
// subscribed → an Instagram channel (an existing one of the account gets
// the new token: a reconnect). Tokens are channel secrets, encrypted at rest.
func (s *Server) handleConnectInstagramCallback(w http.ResponseWriter, r *http.Request) {
	s.finishLogin(w, r, "Instagram login", func(ctx context.Context, r *http.Request, code string) ([]*parley.Channel, error) {
		ch, err := s.connectInstagram(ctx, r, code)
		if ch == nil {
			return nil, err
		}
		return []*parley.Channel{ch}, err
	})
}

func (s *Server) connectInstagram(ctx context.Context, r *http.Request, code string) (*parley.Channel, error) {
	m := s.cfg.Meta
	app := m.instagramApp()
	short, err := app.ExchangeCode(ctx, code, m.instagramRedirectURI())
	if err != nil {
		return nil, err
	}
	long, err := app.LongLived(ctx, short.AccessToken)
	if err != nil {
		return nil, err
	}
	profile, err := app.Profile(ctx, long.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := app.Subscribe(ctx, long.AccessToken, nil); err != nil {
		return nil, err
	}
	config := m.channelConfig("ig_account_id", profile.AccountID())
	config["graph_base_url"] = firstNonEmpty(m.InstagramGraphURL, connect.DefaultInstagramGraphURL)
	config["instagram_login"] = "true"
	if profile.Username != "" {
		config["username"] = profile.Username
	}
	if long.ExpiresIn > 0 {
		// Instagram tokens last 60 days and must be refreshed before then.
		config["token_expires_at"] = s.clock.Now().Add(time.Duration(long.ExpiresIn) * time.Second).UTC().Format(time.RFC3339)
	}
	secrets := m.channelSecrets(long.AccessToken)
	secrets["app_secret"] = app.Secret
	name := "Instagram " + profile.AccountID()
	if profile.Username != "" {
		name = "@" + profile.Username + " · Instagram"
	}
	return s.upsertMetaChannel(r, parley.PlatformInstagram, name, config, secrets)
}

// instagramCallbackDoc is the callback's query, for the route table.
var instagramCallbackDoc = []param{{name: "code", typ: "string"}, {name: "state", typ: "string", required: true},
	{name: "error", typ: "string"}, {name: "error_reason", typ: "string"}, {name: "error_description", typ: "string"}}
