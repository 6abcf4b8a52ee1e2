package graph

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// Defaults for the channel settings.
const (
	DefaultVersion = "v25.0"
	DefaultBaseURL = "https://graph.facebook.com"
	// DefaultMediaMaxBytes bounds a fetched media file. WhatsApp documents go
	// up to 100 MB; Meta's exact per-type limits are in PLATFORMS.md.
	DefaultMediaMaxBytes = 100 << 20
)

// DefaultMediaHosts are the host suffixes Meta serves webhook media from.
// UNVERIFIED: gathered from observed payloads, not from a Meta list, so the
// channel can override them with the media_hosts config key.
var DefaultMediaHosts = []string{
	"fbcdn.net", "fbsbx.com", "facebook.com", "cdninstagram.com",
	"instagram.com", "whatsapp.net", "whatsapp.com",
}

// Settings are a Meta channel's configuration and secrets, parsed once.
type Settings struct {
	ChannelID     int64
	AccountID     string // page_id, ig_account_id or phone_number_id
	WABAID        string
	Version       string
	BaseURL       string
	HumanAgent    bool
	AppSecret     string
	VerifyToken   string
	AccessToken   string
	MediaHosts    []string
	MediaMaxBytes int64
	// TextLimit overrides the platform's text limit (config text_limit):
	// Meta's limits are UNVERIFIED (PLATFORMS.md), so a channel can correct
	// them without a release. 0 keeps the adapter's default.
	TextLimit int
}

// LoadSettings reads ch's configuration; accountKey names the config key of
// the account id the platform needs (page_id, ig_account_id, phone_number_id).
func LoadSettings(ch *parley.Channel, accountKey string) (Settings, error) {
	if ch == nil {
		return Settings{}, parley.Errorf(parley.EINVALID, "meta: no channel")
	}
	cfg := func(k string) string { return strings.TrimSpace(ch.Config[k]) }
	s := Settings{
		ChannelID:   ch.ID,
		AccountID:   cfg(accountKey),
		WABAID:      cfg("waba_id"),
		Version:     cfg("graph_version"),
		BaseURL:     strings.TrimRight(cfg("graph_base_url"), "/"),
		HumanAgent:  cfg("human_agent_enabled") == "true",
		AppSecret:   ch.Secrets["app_secret"],
		VerifyToken: ch.Secrets["verify_token"],
		AccessToken: ch.Secrets["access_token"],
		MediaHosts:  DefaultMediaHosts,
	}
	if s.AccountID == "" {
		return Settings{}, parley.Errorf(parley.EINVALID, "meta: channel %d needs config %s", ch.ID, accountKey)
	}
	if s.Version == "" {
		s.Version = DefaultVersion
	}
	if !strings.HasPrefix(s.Version, "v") {
		s.Version = "v" + s.Version
	}
	if s.BaseURL == "" {
		s.BaseURL = DefaultBaseURL
	}
	if u, err := url.Parse(s.BaseURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return Settings{}, parley.Errorf(parley.EINVALID, "meta: graph_base_url %q is not an http(s) URL", s.BaseURL)
	}
	if hosts := cfg("media_hosts"); hosts != "" {
		s.MediaHosts = splitList(hosts)
	}
	s.MediaMaxBytes = DefaultMediaMaxBytes
	if v := cfg("media_max_bytes"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return Settings{}, parley.Errorf(parley.EINVALID, "meta: media_max_bytes %q is not a positive number", v)
		}
		s.MediaMaxBytes = n
	}
	if v := cfg("text_limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return Settings{}, parley.Errorf(parley.EINVALID, "meta: text_limit %q is not a positive number", v)
		}
		s.TextLimit = n
	}
	return s, nil
}

// Client returns a Graph client for these settings.
func (s Settings) Client() *Client {
	return &Client{BaseURL: s.BaseURL, Version: s.Version, Token: s.AccessToken}
}

// Media returns a media fetcher for these settings: Meta's hosts plus the
// Graph host itself (so a fake server's media can be fetched in tests).
func (s Settings) Media() *MediaFetcher {
	u, _ := url.Parse(s.BaseURL)
	return &MediaFetcher{Hosts: s.MediaHosts, TrustedHost: u.Host, MaxBytes: s.MediaMaxBytes}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}
