package connect

import (
	"context"
	"net/url"

	"github.com/parleyhq/parley"
)

// TokenInfo is what GET /debug_token says about a token.
type TokenInfo struct {
	AppID     string   `json:"app_id"`
	Type      string   `json:"type"`
	IsValid   bool     `json:"is_valid"`
	ExpiresAt int64    `json:"expires_at"`
	Scopes    []string `json:"scopes"`
	UserID    string   `json:"user_id"`
	// GranularScopes name the WABAs and Pages a scope was granted on.
	GranularScopes []struct {
		Scope     string   `json:"scope"`
		TargetIDs []string `json:"target_ids"`
	} `json:"granular_scopes"`
}

// DebugToken inspects a token with the app token (APP_ID|APP_SECRET).
func (a App) DebugToken(ctx context.Context, token string) (TokenInfo, error) {
	var out struct {
		Data TokenInfo `json:"data"`
	}
	q := url.Values{"input_token": {token}, "access_token": {a.ID + "|" + a.Secret}}
	if err := a.client("").Get(ctx, "/debug_token?"+q.Encode(), &out); err != nil {
		return TokenInfo{}, wrap(err, "inspecting the token")
	}
	if !out.Data.IsValid {
		return out.Data, parley.Errorf(parley.EUNAUTHORIZED, "connect: the token is not valid")
	}
	return out.Data, nil
}

// PhoneNumber is one number of a WhatsApp Business Account.
type PhoneNumber struct {
	ID                 string `json:"id"`
	DisplayPhoneNumber string `json:"display_phone_number"`
	VerifiedName       string `json:"verified_name"`
	QualityRating      string `json:"quality_rating"`
}

// PhoneNumbers lists a WABA's numbers: GET /{waba_id}/phone_numbers.
func (a App) PhoneNumbers(ctx context.Context, wabaID, token string) ([]PhoneNumber, error) {
	var out struct {
		Data []PhoneNumber `json:"data"`
	}
	if err := a.client(token).Get(ctx, "/"+url.PathEscape(wabaID)+"/phone_numbers", &out); err != nil {
		return nil, wrap(err, "listing phone numbers")
	}
	return out.Data, nil
}

// RegisterPhone registers a number for the Cloud API with a 6-digit PIN:
// POST /{phone_number_id}/register.
func (a App) RegisterPhone(ctx context.Context, phoneNumberID, token, pin string) error {
	if len(pin) != 6 {
		return parley.Errorf(parley.EINVALID, "connect: the two-step verification PIN has 6 digits")
	}
	var out struct {
		Success bool `json:"success"`
	}
	body := map[string]string{"messaging_product": "whatsapp", "pin": pin}
	if err := a.client(token).PostJSON(ctx, "/"+url.PathEscape(phoneNumberID)+"/register", body, &out); err != nil {
		return wrap(err, "registering the number")
	}
	if !out.Success {
		return parley.Errorf(parley.EUNAVAILABLE, "connect: Meta did not confirm the registration")
	}
	return nil
}

// SubscribeWABA subscribes the app to a WABA's webhooks: POST
// /{waba_id}/subscribed_apps, optionally overriding the callback URL and
// verify token for this WABA.
func (a App) SubscribeWABA(ctx context.Context, wabaID, token, callbackURL, verifyToken string) error {
	body := map[string]string{}
	if callbackURL != "" {
		body["override_callback_uri"], body["verify_token"] = callbackURL, verifyToken
	}
	var out struct {
		Success bool `json:"success"`
	}
	if err := a.client(token).PostJSON(ctx, "/"+url.PathEscape(wabaID)+"/subscribed_apps", body, &out); err != nil {
		return wrap(err, "subscribing the WhatsApp Business Account")
	}
	if !out.Success {
		return parley.Errorf(parley.EUNAVAILABLE, "connect: Meta did not confirm the WABA subscription")
	}
	return nil
}
