// Package connect implements Meta's onboarding calls (PLATFORMS.md §9, §4):
// Facebook Login for Pages (and Instagram through a Page), the long-lived
// token exchange, page tokens, subscribing a Page or a WhatsApp Business
// Account to the app's webhooks, WhatsApp Embedded Signup's backend calls,
// and the data-deletion signed_request. It makes the Graph calls only; the
// HTTP handlers, state/CSRF checks and storing the channel belong to the
// caller.
package connect

import (
	"context"
	"net/url"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// App is the Meta app a Parley installation connects through.
type App struct {
	ID      string
	Secret  string
	Version string // default graph.DefaultVersion
	BaseURL string // Graph host, default graph.DefaultBaseURL (a fake in tests)
	// DialogURL is where the login dialog lives, default
	// https://www.facebook.com.
	DialogURL string
}

// DefaultPageFields are the webhook fields a Page is subscribed to.
var DefaultPageFields = []string{"messages", "messaging_postbacks", "message_deliveries", "message_reads",
	"message_echoes", "message_reactions", "feed"}

func (a App) version() string {
	if a.Version == "" {
		return graph.DefaultVersion
	}
	return a.Version
}

func (a App) client(token string) *graph.Client {
	base := a.BaseURL
	if base == "" {
		base = graph.DefaultBaseURL
	}
	return &graph.Client{BaseURL: strings.TrimRight(base, "/"), Version: a.version(), Token: token}
}

// LoginURL is the Facebook Login dialog address (step 1). With configID
// (Facebook Login for Business) scopes are ignored.
func (a App) LoginURL(redirectURI, state, configID string, scopes []string) string {
	dialog := a.DialogURL
	if dialog == "" {
		dialog = "https://www.facebook.com"
	}
	q := url.Values{"client_id": {a.ID}, "redirect_uri": {redirectURI}, "state": {state}, "response_type": {"code"}}
	if configID != "" {
		q.Set("config_id", configID)
	} else if len(scopes) > 0 {
		q.Set("scope", strings.Join(scopes, ","))
	}
	return strings.TrimRight(dialog, "/") + "/" + a.version() + "/dialog/oauth?" + q.Encode()
}

// Token is an access token answer.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// ExchangeCode trades the dialog's code for a user token (step 2).
func (a App) ExchangeCode(ctx context.Context, code, redirectURI string) (Token, error) {
	if code == "" {
		return Token{}, parley.Errorf(parley.EINVALID, "connect: no authorization code")
	}
	q := url.Values{"client_id": {a.ID}, "redirect_uri": {redirectURI}, "client_secret": {a.Secret}, "code": {code}}
	return a.token(ctx, q)
}

// LongLived exchanges a short-lived user token for a ~60-day one (step 3).
func (a App) LongLived(ctx context.Context, shortToken string) (Token, error) {
	q := url.Values{"grant_type": {"fb_exchange_token"}, "client_id": {a.ID}, "client_secret": {a.Secret}, "fb_exchange_token": {shortToken}}
	return a.token(ctx, q)
}

func (a App) token(ctx context.Context, q url.Values) (Token, error) {
	var t Token
	if err := a.client("").Get(ctx, "/oauth/access_token?"+q.Encode(), &t); err != nil {
		return Token{}, wrap(err, "token exchange")
	}
	if t.AccessToken == "" {
		return Token{}, parley.Errorf(parley.EUNAVAILABLE, "connect: Meta answered without an access token")
	}
	return t, nil
}

// Page is one Page the user manages, with its Page token.
type Page struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	AccessToken string   `json:"access_token"`
	Tasks       []string `json:"tasks,omitempty"`
}

// Pages lists the user's Pages with their tokens (step 4): GET /me/accounts.
func (a App) Pages(ctx context.Context, userToken string) ([]Page, error) {
	var out struct {
		Data []Page `json:"data"`
	}
	if err := a.client(userToken).Get(ctx, "/me/accounts", &out); err != nil {
		return nil, wrap(err, "listing pages")
	}
	return out.Data, nil
}

// InstagramAccount is the Instagram professional account linked to a Page
// (step 5), or ENOTFOUND.
func (a App) InstagramAccount(ctx context.Context, pageToken string) (string, error) {
	var out struct {
		IG *struct {
			ID string `json:"id"`
		} `json:"instagram_business_account"`
	}
	if err := a.client(pageToken).Get(ctx, "/me?fields=instagram_business_account", &out); err != nil {
		return "", wrap(err, "reading the page's Instagram account")
	}
	if out.IG == nil || out.IG.ID == "" {
		return "", parley.Errorf(parley.ENOTFOUND, "connect: this Page has no linked Instagram professional account")
	}
	return out.IG.ID, nil
}

// SubscribePage subscribes the app to the Page's webhook fields (step 6);
// nil fields means DefaultPageFields.
func (a App) SubscribePage(ctx context.Context, pageID, pageToken string, fields []string) error {
	if len(fields) == 0 {
		fields = DefaultPageFields
	}
	var out struct {
		Success bool `json:"success"`
	}
	path := "/" + url.PathEscape(pageID) + "/subscribed_apps?subscribed_fields=" + url.QueryEscape(strings.Join(fields, ","))
	if err := a.client(pageToken).PostJSON(ctx, path, struct{}{}, &out); err != nil {
		return wrap(err, "subscribing the page")
	}
	if !out.Success {
		return parley.Errorf(parley.EUNAVAILABLE, "connect: Meta did not confirm the page subscription")
	}
	return nil
}

// wrap turns a Graph error into a parley error a handler can show.
func wrap(err error, what string) error {
	se := graph.Classify(err)
	code := parley.EUNAVAILABLE
	switch se.Class {
	case parley.SendAuth:
		code = parley.EUNAUTHORIZED
	case parley.SendPermanent:
		code = parley.EINVALID
	case parley.SendRateLimited:
		code = parley.ERATELIMITED
	}
	return parley.WrapError(code, err, "connect: %s failed: %s", what, se.Reason)
}
