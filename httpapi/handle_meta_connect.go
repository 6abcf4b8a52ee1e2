package httpapi

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/connect"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/pipeline"
)

// metaConnectInfo is what the web app needs to offer the connect buttons.
type metaConnectInfo struct {
	Enabled          bool           `json:"enabled"`
	AppID            string         `json:"app_id,omitempty"`
	LoginConfigID    string         `json:"login_config_id,omitempty"`
	WhatsAppConfigID string         `json:"whatsapp_config_id,omitempty"`
	GraphVersion     string         `json:"graph_version"`
	Warnings         []graphWarning `json:"warnings"`
}

// graphWarning is an admin-facing warning about a Graph API version in use.
type graphWarning struct {
	ChannelID    int64  `json:"channel_id,omitempty"` // 0: the app setting
	GraphVersion string `json:"graph_version"`
	Message      string `json:"message"`
}

// whatsAppConnect is what Embedded Signup hands the web app: the code of
// FB.login and the WA_EMBEDDED_SIGNUP message's ids.
type whatsAppConnect struct {
	Code          string `json:"code"`
	WABAID        string `json:"waba_id"`
	PhoneNumberID string `json:"phone_number_id"`
	// PIN is the number's two-step verification PIN; empty makes one up
	// (kept with the channel's secrets).
	PIN  string `json:"pin,omitempty"`
	Name string `json:"name,omitempty"`
}

// facebookConnected is the JSON answer of the callback for API clients
// (browsers are redirected to the channel settings).
type facebookConnected struct {
	Channels []*parley.Channel `json:"channels"`
}

func (s *Server) handleMetaConnectInfo(w http.ResponseWriter, r *http.Request) {
	m := s.cfg.Meta
	info := metaConnectInfo{Enabled: m.enabled(), Warnings: []graphWarning{}}
	if m != nil {
		info.AppID, info.LoginConfigID, info.WhatsAppConfigID = m.AppID, m.LoginConfigID, m.WhatsAppConfigID
	}
	info.GraphVersion = m.versionOrDefault()
	warnings, err := s.graphWarnings(r.Context(), info.GraphVersion)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	info.Warnings = warnings
	writeJSON(w, http.StatusOK, info)
}

// handleConnectFacebook sends the admin to Meta's Login dialog.
func (s *Server) handleConnectFacebook(w http.ResponseWriter, r *http.Request) {
	m := s.cfg.Meta
	if !m.enabled() {
		s.writeError(w, r, errMetaNotConfigured)
		return
	}
	state := m.signState(agentFrom(r.Context()).ID, s.clock.Now())
	scopes := connectScopes
	if m.LoginConfigID != "" {
		scopes = nil
	}
	http.Redirect(w, r, m.app().LoginURL(m.redirectURI(), state, m.LoginConfigID, scopes), http.StatusFound)
}

// handleConnectFacebookCallback finishes Facebook Login: code → user token
// → long-lived token → Page tokens → each Page subscribed → a Messenger
// and a Page-comments channel per Page, and an Instagram channel per linked
// Instagram account (existing ones get the new token: a reconnect).
func (s *Server) handleConnectFacebookCallback(w http.ResponseWriter, r *http.Request) {
	s.finishLogin(w, r, "Facebook Login", s.connectPages)
}

// finishLogin is the common end of Meta's login redirects: the state proves
// which admin started it (and they still must be one), a cancelled login is
// reported, otherwise connect turns the code into channels.
func (s *Server) finishLogin(w http.ResponseWriter, r *http.Request, login string,
	connect func(ctx context.Context, r *http.Request, code string) ([]*parley.Channel, error)) {
	m := s.cfg.Meta
	if !m.enabled() {
		s.writeError(w, r, errMetaNotConfigured)
		return
	}
	q := r.URL.Query()
	st, err := m.checkState(q.Get("state"), s.clock.Now())
	if err == nil {
		err = s.checkStillAdmin(r.Context(), st.AgentID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if e := q.Get("error"); e != "" {
		s.finishConnect(w, r, nil, parley.Errorf(parley.EFORBIDDEN, "%s was cancelled: %s", login, firstNonEmpty(q.Get("error_description"), q.Get("error_reason"), e)))
		return
	}
	chans, err := connect(r.Context(), r, q.Get("code"))
	s.finishConnect(w, r, chans, err)
}

func (s *Server) connectPages(ctx context.Context, r *http.Request, code string) ([]*parley.Channel, error) {
	m := s.cfg.Meta
	app := m.app()
	if code == "" {
		return nil, parley.Errorf(parley.EINVALID, "Facebook Login returned no code")
	}
	short, err := app.ExchangeCode(ctx, code, m.redirectURI())
	if err != nil {
		return nil, err
	}
	long, err := app.LongLived(ctx, short.AccessToken)
	if err != nil {
		return nil, err
	}
	pages, err := app.Pages(ctx, long.AccessToken)
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "no Facebook Page was shared with Parley: connect again and select your Pages")
	}
	var chans []*parley.Channel
	for _, p := range pages {
		got, err := s.connectPage(ctx, r, app, p)
		if err != nil {
			return chans, err
		}
		chans = append(chans, got...)
	}
	return chans, nil
}

func (s *Server) connectPage(ctx context.Context, r *http.Request, app connect.App, p connect.Page) ([]*parley.Channel, error) {
	m := s.cfg.Meta
	if err := app.SubscribePage(ctx, p.ID, p.AccessToken, nil); err != nil {
		return nil, err
	}
	var out []*parley.Channel
	for _, platform := range []parley.Platform{parley.PlatformMessenger, parley.PlatformFacebookComments} {
		name := p.Name
		if platform == parley.PlatformFacebookComments {
			name += " · comments"
		}
		ch, err := s.upsertMetaChannel(r, platform, name, m.channelConfig("page_id", p.ID), m.channelSecrets(p.AccessToken))
		if err != nil {
			return out, err
		}
		out = append(out, ch)
	}
	igID, err := app.InstagramAccount(ctx, p.AccessToken)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return out, nil
	} else if err != nil {
		return out, err
	}
	ch, err := s.upsertMetaChannel(r, parley.PlatformInstagram, p.Name+" · Instagram", m.channelConfig("ig_account_id", igID), m.channelSecrets(p.AccessToken))
	if err != nil {
		return out, err
	}
	return append(out, ch), nil
}

// handleConnectWhatsApp finishes Embedded Signup: the code becomes a
// business token, the number is registered for the Cloud API, the channel
// is stored, and the WABA's webhooks are pointed at it.
func (s *Server) handleConnectWhatsApp(w http.ResponseWriter, r *http.Request) {
	m := s.cfg.Meta
	var req whatsAppConnect
	err := decodeJSON(w, r, &req)
	if err == nil && !m.enabled() {
		err = errMetaNotConfigured
	}
	if err == nil && (req.Code == "" || req.WABAID == "" || req.PhoneNumberID == "") {
		err = parley.Errorf(parley.EINVALID, "code, waba_id and phone_number_id are required (from Embedded Signup)")
	}
	var ch *parley.Channel
	if err == nil {
		ch, err = s.connectWhatsApp(r.Context(), r, req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ch)
}

func (s *Server) connectWhatsApp(ctx context.Context, r *http.Request, req whatsAppConnect) (*parley.Channel, error) {
	m := s.cfg.Meta
	app := m.app()
	tok, err := app.ExchangeCode(ctx, req.Code, "")
	if err != nil {
		return nil, err
	}
	if req.PIN == "" {
		req.PIN = randomPIN()
	}
	if err := app.RegisterPhone(ctx, req.PhoneNumberID, tok.AccessToken, req.PIN); err != nil {
		return nil, err
	}
	name := req.Name
	if name == "" {
		name = "WhatsApp " + req.PhoneNumberID
		if nums, err := app.PhoneNumbers(ctx, req.WABAID, tok.AccessToken); err == nil {
			for _, n := range nums {
				if n.ID == req.PhoneNumberID {
					name = "WhatsApp " + n.DisplayPhoneNumber
				}
			}
		}
	}
	config := m.channelConfig("phone_number_id", req.PhoneNumberID)
	config["waba_id"] = req.WABAID
	secrets := m.channelSecrets(tok.AccessToken)
	secrets["two_step_pin"] = req.PIN
	ch, err := s.upsertMetaChannel(r, parley.PlatformWhatsApp, name, config, secrets)
	if err != nil {
		return nil, err
	}
	callback := m.publicURL() + "/hooks/whatsapp/" + strconv.FormatInt(ch.ID, 10)
	if err := app.SubscribeWABA(ctx, req.WABAID, tok.AccessToken, callback, secrets["verify_token"]); err != nil {
		reason := parley.WebhookSubscriptionFailed + parley.ErrorMessage(err)
		status := parley.ChannelDisconnected
		_, _ = s.store.UpdateChannel(ctx, ch.ID, parley.ChannelUpdate{Status: &status, StatusReason: &reason})
		s.channels.forget(ch.ID)
		return nil, err
	}
	// The composer needs the templates at once; a failure here is not a
	// failed connect (the hourly sync or an admin's sync tries again).
	if err := pipeline.SyncTemplates(ctx, s.store, s.cfg.Adapters, ch); err != nil {
		s.log.WarnContext(ctx, "syncing WhatsApp templates after connect", "channel_id", ch.ID, "err", err)
	}
	return ch, nil
}

// upsertMetaChannel stores a connected account: a new channel, or, when a
// channel of the platform already has this account, its new token and
// settings (it becomes active and its held replies go out).
func (s *Server) upsertMetaChannel(r *http.Request, p parley.Platform, name string, config, secrets map[string]string) (*parley.Channel, error) {
	ctx := r.Context()
	key := accountKey(p)
	existing, err := s.store.FindChannels(ctx)
	if err != nil {
		return nil, err
	}
	for _, ch := range existing {
		if ch.Platform != p || ch.Config[key] != config[key] {
			continue
		}
		active, none := parley.ChannelActive, ""
		upd := parley.ChannelUpdate{Status: &active, StatusReason: &none, Config: map[string]*string{}, Secrets: map[string]*string{}}
		for k, v := range config {
			upd.Config[k] = &v
		}
		for k, v := range secrets {
			if k == "verify_token" {
				continue // keep the token the platform already verified
			}
			upd.Secrets[k] = &v
		}
		updated, err := s.store.UpdateChannel(ctx, ch.ID, upd)
		s.channels.forget(ch.ID)
		if err != nil {
			return nil, err
		}
		s.releaseHeld(r, updated)
		s.publish(r, &parley.Event{Type: parley.EventChannelUpdated, Channel: updated, At: s.clock.Now()})
		return updated, nil
	}
	ch := &parley.Channel{Platform: p, Name: name, Status: parley.ChannelActive, Config: config, Secrets: secrets}
	if err := s.store.CreateChannel(ctx, ch); err != nil {
		return nil, err
	}
	s.channels.forget(ch.ID)
	s.publish(r, &parley.Event{Type: parley.EventChannelUpdated, Channel: ch, At: s.clock.Now()})
	return ch, nil
}

// accountKey is the config key naming a Meta channel's account.
func accountKey(p parley.Platform) string {
	switch p {
	case parley.PlatformInstagram:
		return "ig_account_id"
	case parley.PlatformWhatsApp:
		return "phone_number_id"
	}
	return "page_id"
}

// finishConnect answers the Login callback: browsers go back to the
// channel settings with the outcome in the query; API clients get JSON.
func (s *Server) finishConnect(w http.ResponseWriter, r *http.Request, chans []*parley.Channel, err error) {
	if r.Header.Get("Accept") == "application/json" {
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, facebookConnected{Channels: chans})
		return
	}
	q := url.Values{}
	if err != nil {
		s.log.WarnContext(r.Context(), "connecting Meta accounts failed", requestAttrs(r, "err", err)...)
		q.Set("connect_error", parley.ErrorMessage(err))
	} else {
		q.Set("connected", strconv.Itoa(len(chans)))
	}
	http.Redirect(w, r, s.cfg.Meta.publicURL()+"/settings/channels?"+q.Encode(), http.StatusFound)
}

// checkStillAdmin makes sure whoever started the dialog may still connect channels.
func (s *Server) checkStillAdmin(ctx context.Context, agentID int64) error {
	a, err := s.store.FindAgentByID(ctx, agentID)
	if err != nil || !a.Active || a.Role != parley.RoleAdmin {
		return parley.Errorf(parley.EFORBIDDEN, "only an active admin can connect channels")
	}
	return nil
}

var errMetaNotConfigured = parley.Errorf(parley.EUNSUPPORTED, "no Meta app is configured: set meta_app_id and meta_app_secret")

func randomPIN() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// versionOrDefault is the Graph API version new channels get.
func (m *MetaConnect) versionOrDefault() string {
	if m == nil {
		return graph.DefaultVersion
	}
	return m.version()
}

// graphWarnings lists the Graph API versions in use (the app setting and
// each Meta channel's) that end within graph.VersionWarningWindow.
func (s *Server) graphWarnings(ctx context.Context, appVersion string) ([]graphWarning, error) {
	now := s.clock.Now()
	out := []graphWarning{}
	if msg := graph.VersionWarning(appVersion, now); msg != "" && s.cfg.Meta.enabled() {
		out = append(out, graphWarning{GraphVersion: appVersion, Message: msg})
	}
	chans, err := s.store.FindChannels(ctx)
	if err != nil {
		return nil, err
	}
	for _, ch := range chans {
		switch ch.Platform {
		case parley.PlatformMessenger, parley.PlatformFacebookComments, parley.PlatformInstagram, parley.PlatformWhatsApp:
		default:
			continue
		}
		v := graph.NormalizeVersion(ch.Config["graph_version"])
		if msg := graph.VersionWarning(v, now); msg != "" {
			out = append(out, graphWarning{ChannelID: ch.ID, GraphVersion: v, Message: ch.Name + ": " + msg})
		}
	}
	return out, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
