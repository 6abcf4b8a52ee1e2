package httpapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/connect"
	"github.com/parleyhq/parley/channel/meta/graph"
)

// MetaConnect is the installation's Meta app, through which admins connect
// Facebook Pages, Instagram accounts and WhatsApp numbers with a few clicks
// (PLATFORMS.md §9, §4 Embedded Signup) instead of pasting tokens.
type MetaConnect struct {
	AppID     string
	AppSecret string
	// LoginConfigID is a Facebook Login for Business configuration; without
	// one the dialog asks for connectScopes.
	LoginConfigID string
	// WhatsAppConfigID is the Embedded Signup configuration the web app
	// passes to FB.login.
	WhatsAppConfigID string
	// GraphVersion is the Graph API version new channels use (default
	// graph.DefaultVersion); admins are warned 90 days before its end.
	GraphVersion string
	// GraphBaseURL and DialogURL point at Meta (defaults) or a fake.
	GraphBaseURL string
	DialogURL    string
	// PublicURL is how browsers and Meta reach this Parley: the OAuth
	// redirect URI and webhook callbacks are built from it.
	PublicURL string
	// WebhookVerifyToken answers the App Dashboard's verification of the
	// app-level callback URL, /hooks/meta.
	WebhookVerifyToken string
	// StateKey signs the OAuth state; every node must share it (derive it
	// from the secret key). Empty: a random key, fine for one node.
	StateKey []byte
	// InstagramAppID and InstagramAppSecret are the Instagram app of
	// Instagram Login (the App Dashboard shows them apart from the Meta
	// app's); empty: the Meta app's. Instagram Login channels' webhooks are
	// signed with this secret.
	InstagramAppID     string
	InstagramAppSecret string
	// InstagramAuthURL, InstagramAPIURL and InstagramGraphURL point at
	// Instagram (defaults) or a fake.
	InstagramAuthURL  string
	InstagramAPIURL   string
	InstagramGraphURL string
}

// connectScopes are asked for when there is no Login for Business configuration.
var connectScopes = []string{"pages_show_list", "pages_messaging", "pages_manage_metadata", "pages_read_engagement",
	"pages_manage_engagement", "instagram_basic", "instagram_manage_messages", "instagram_manage_comments", "business_management"}

// stateLifetime bounds how long the Login dialog may take.
const stateLifetime = 15 * time.Minute

func (m *MetaConnect) enabled() bool { return m != nil && m.AppID != "" && m.AppSecret != "" }

func (m *MetaConnect) app() connect.App {
	return connect.App{ID: m.AppID, Secret: m.AppSecret, Version: m.version(), BaseURL: m.GraphBaseURL, DialogURL: m.DialogURL}
}

func (m *MetaConnect) instagramApp() connect.InstagramApp {
	a := connect.InstagramApp{ID: m.InstagramAppID, Secret: m.InstagramAppSecret, Version: m.version(),
		AuthURL: m.InstagramAuthURL, APIURL: m.InstagramAPIURL, GraphURL: m.InstagramGraphURL}
	if a.ID == "" || a.Secret == "" {
		a.ID, a.Secret = m.AppID, m.AppSecret
	}
	return a
}

func (m *MetaConnect) instagramRedirectURI() string {
	return m.publicURL() + "/api/v1/connect/instagram/callback"
}

func (m *MetaConnect) version() string { return graph.NormalizeVersion(m.GraphVersion) }

func (m *MetaConnect) publicURL() string { return strings.TrimRight(m.PublicURL, "/") }

func (m *MetaConnect) redirectURI() string {
	return m.publicURL() + "/api/v1/connect/facebook/callback"
}

// channelConfig is the configuration every Meta channel made here starts with.
func (m *MetaConnect) channelConfig(accountKey, accountID string) map[string]string {
	c := map[string]string{accountKey: accountID, "graph_version": m.version()}
	if m.GraphBaseURL != "" {
		c["graph_base_url"] = m.GraphBaseURL
	}
	return c
}

func (m *MetaConnect) channelSecrets(token string) map[string]string {
	return map[string]string{"access_token": token, "app_secret": m.AppSecret, "verify_token": randomHex(16)}
}

// connectState is what the OAuth state carries through the dialog: who
// started it and until when it is good. It is signed, so the callback needs
// no session (the browser returns from facebook.com, where SameSite
// cookies may not ride along) and a forged or replayed-late one fails.
type connectState struct {
	AgentID int64  `json:"a"`
	Expires int64  `json:"e"`
	Nonce   string `json:"n"`
}

func (m *MetaConnect) signState(agentID int64, now time.Time) string {
	payload, _ := json.Marshal(connectState{AgentID: agentID, Expires: now.Add(stateLifetime).Unix(), Nonce: randomHex(8)})
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(m.mac(p))
}

func (m *MetaConnect) checkState(state string, now time.Time) (connectState, error) {
	var st connectState
	p, sig, ok := strings.Cut(state, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(got, m.mac(p)) {
		return st, parley.Errorf(parley.EUNAUTHORIZED, "the connect request is not one this Parley started: start again from Settings")
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(raw, &st) != nil {
		return st, parley.Errorf(parley.EUNAUTHORIZED, "the connect request is malformed: start again from Settings")
	}
	if now.Unix() > st.Expires {
		return st, parley.Errorf(parley.EUNAUTHORIZED, "the connect request expired: start again from Settings")
	}
	return st, nil
}

// processStateKey signs states when no StateKey is configured: good for
// one node, and a restart only voids dialogs in progress.
var processStateKey = func() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}()

func (m *MetaConnect) mac(payload string) []byte {
	key := m.StateKey
	if len(key) == 0 {
		key = processStateKey
	}
	h := hmac.New(sha256.New, key)
	h.Write([]byte("meta-connect-state\x00" + payload))
	return h.Sum(nil)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
