package connect

import (
	"context"
	"net/url"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// Instagram API with Instagram Login (PLATFORMS.md §3, §9): the business
// logs in with Instagram itself, no Facebook Page needed. The calls go to
// Instagram's hosts with the Instagram app's id and secret (shown apart
// from the Meta app's in the App Dashboard).

// Instagram's hosts.
const (
	DefaultInstagramAuthURL  = "https://api.instagram.com"
	DefaultInstagramAPIURL   = "https://api.instagram.com"
	DefaultInstagramGraphURL = "https://graph.instagram.com"
)

// InstagramScopes are the permissions Parley asks for.
var InstagramScopes = []string{"instagram_business_basic", "instagram_business_manage_messages", "instagram_business_manage_comments"}

// DefaultInstagramFields are the webhook fields an account is subscribed to.
var DefaultInstagramFields = []string{"messages", "messaging_postbacks", "messaging_seen", "messaging_reactions", "comments"}

// InstagramApp is the Instagram app of an installation.
type InstagramApp struct {
	ID, Secret string
	Version    string // Graph version of graph.instagram.com calls, default graph.DefaultVersion
	AuthURL    string // the authorize dialog's host, default DefaultInstagramAuthURL
	APIURL     string // the code exchange's host, default DefaultInstagramAPIURL
	GraphURL   string // default DefaultInstagramGraphURL (a fake in tests)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return strings.TrimRight(v, "/")
}

func (a InstagramApp) graphClient(token string, versioned bool) *graph.Client {
	c := &graph.Client{BaseURL: or(a.GraphURL, DefaultInstagramGraphURL), Token: token, Auth: graph.AuthBearer}
	if versioned {
		c.Version = or(a.Version, graph.DefaultVersion)
	}
	return c
}

// LoginURL is the authorize dialog the admin is sent to.
func (a InstagramApp) LoginURL(redirectURI, state string) string {
	q := url.Values{"client_id": {a.ID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {strings.Join(InstagramScopes, ",")}, "state": {state}}
	return or(a.AuthURL, DefaultInstagramAuthURL) + "/oauth/authorize?" + q.Encode()
}

// InstagramUser is who logged in: the professional account's id (the
// entry id of its webhooks) and the short-lived token.
type InstagramUser struct {
	AccessToken string           `json:"access_token"`
	UserID      graph.FlexString `json:"user_id"`
	Permissions graph.FlexString `json:"permissions"`
}

// ExchangeCode trades the dialog's code for a short-lived token: POST
// /oauth/access_token (form). The answer is {"data":[…]} or, as older
// documentation shows, the object itself.
func (a InstagramApp) ExchangeCode(ctx context.Context, code, redirectURI string) (InstagramUser, error) {
	if code == "" {
		return InstagramUser{}, parley.Errorf(parley.EINVALID, "connect: no authorization code")
	}
	form := url.Values{"client_id": {a.ID}, "client_secret": {a.Secret}, "grant_type": {"authorization_code"},
		"redirect_uri": {redirectURI}, "code": {code}}
	var out struct {
		Data []InstagramUser `json:"data"`
		InstagramUser
	}
	c := &graph.Client{BaseURL: or(a.APIURL, DefaultInstagramAPIURL)}
	if err := c.PostForm(ctx, "/oauth/access_token", form, &out); err != nil {
		return InstagramUser{}, wrap(err, "Instagram code exchange")
	}
	u := out.InstagramUser
	if len(out.Data) > 0 {
		u = out.Data[0]
	}
	if u.AccessToken == "" {
		return InstagramUser{}, parley.Errorf(parley.EUNAVAILABLE, "connect: Instagram answered without an access token")
	}
	return u, nil
}

// LongLived exchanges a short-lived Instagram token for a 60-day one:
// GET graph.instagram.com/access_token?grant_type=ig_exchange_token.
func (a InstagramApp) LongLived(ctx context.Context, short string) (Token, error) {
	q := url.Values{"grant_type": {"ig_exchange_token"}, "client_secret": {a.Secret}, "access_token": {short}}
	var t Token
	if err := a.graphClient("", false).Get(ctx, "/access_token?"+q.Encode(), &t); err != nil {
		return Token{}, wrap(err, "Instagram long-lived token exchange")
	}
	if t.AccessToken == "" {
		return Token{}, parley.Errorf(parley.EUNAVAILABLE, "connect: Instagram answered without a long-lived token")
	}
	return t, nil
}

// InstagramProfile is GET /me of the logged-in professional account.
type InstagramProfile struct {
	ID          graph.FlexString `json:"id"`
	UserID      graph.FlexString `json:"user_id"`
	Username    string           `json:"username"`
	Name        string           `json:"name"`
	AccountType string           `json:"account_type"`
}

// AccountID is the id webhooks name the account by: user_id, or id.
func (p InstagramProfile) AccountID() string {
	if id := p.UserID.String(); id != "" {
		return id
	}
	return p.ID.String()
}

// Profile reads the account: GET /me?fields=user_id,username,name,account_type.
func (a InstagramApp) Profile(ctx context.Context, token string) (InstagramProfile, error) {
	var p InstagramProfile
	if err := a.graphClient(token, true).Get(ctx, "/me?fields=user_id,username,name,account_type", &p); err != nil {
		return p, wrap(err, "reading the Instagram account")
	}
	if p.AccountID() == "" {
		return p, parley.Errorf(parley.EUNAVAILABLE, "connect: Instagram answered without the account id")
	}
	return p, nil
}

// Subscribe subscribes the app to the account's webhook fields; nil
// fields means DefaultInstagramFields.
func (a InstagramApp) Subscribe(ctx context.Context, token string, fields []string) error {
	if len(fields) == 0 {
		fields = DefaultInstagramFields
	}
	var out struct {
		Success bool `json:"success"`
	}
	path := "/me/subscribed_apps?subscribed_fields=" + url.QueryEscape(strings.Join(fields, ","))
	if err := a.graphClient(token, true).PostJSON(ctx, path, struct{}{}, &out); err != nil {
		return wrap(err, "subscribing the Instagram account")
	}
	if !out.Success {
		return parley.Errorf(parley.EUNAVAILABLE, "connect: Instagram did not confirm the subscription")
	}
	return nil
}

// Refresh extends a long-lived Instagram token by another 60 days: GET
// graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token.
// Instagram refreshes only tokens at least 24 hours old and unexpired.
func (a InstagramApp) Refresh(ctx context.Context, token string) (Token, error) {
	q := url.Values{"grant_type": {"ig_refresh_token"}, "access_token": {token}}
	var t Token
	if err := a.graphClient("", false).Get(ctx, "/refresh_access_token?"+q.Encode(), &t); err != nil {
		return Token{}, wrap(err, "refreshing the Instagram token")
	}
	if t.AccessToken == "" {
		return Token{}, parley.Errorf(parley.EUNAVAILABLE, "connect: Instagram answered without a refreshed token")
	}
	return t, nil
}
