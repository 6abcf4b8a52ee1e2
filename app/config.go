// Package app assembles Parley from its parts (store, bus, channels, HTTP,
// realtime, pipeline) according to a Config, runs it, and shuts it down
// cleanly. cmd/parley is a thin shell around it, and end-to-end tests boot
// the very same App in-process.
package app

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything an operator can set. Zero values mean the embedded
// defaults: SQLite and an in-process NATS JetStream under DataDir.
type Config struct {
	Addr          string        `json:"addr"`           // HTTP listen address
	PublicURL     string        `json:"public_url"`     // how users and platforms reach this instance
	DataDir       string        `json:"data_dir"`       // SQLite file, embedded JetStream, attachments
	Database      string        `json:"database"`       // "" = SQLite in DataDir; or postgres://…
	NATS          string        `json:"nats"`           // "" = embedded; or nats://host:4222[,nats://…]
	NATSPrefix    string        `json:"nats_prefix"`    // stream/subject namespace (several instances on one cluster)
	Partitions    int           `json:"partitions"`     // inbound stream partitions (per-contact order)
	SyncAlways    bool          `json:"sync_always"`    // fsync every JetStream write (survives power cuts)
	SecretKey     string        `json:"secret_key"`     // 32 bytes hex/base64; encrypts channel credentials
	AdminEmail    string        `json:"admin_email"`    // first admin, created at start if there is none
	AdminPassword string        `json:"admin_password"` //
	NodeID        string        `json:"node_id"`        // defaults to hostname-pid
	LogLevel      string        `json:"log_level"`      // debug, info, warn, error
	LogFormat     string        `json:"log_format"`     // text or json
	SecureCookies bool          `json:"secure_cookies"` // set when served over HTTPS
	ShutdownGrace time.Duration `json:"shutdown_grace"` // how long SIGTERM waits for in-flight work
	PprofAddr     string        `json:"pprof_addr"`     // debug listener for net/http/pprof; off when empty
	// MaxUploadBytes caps one file an agent uploads (and one inbound
	// media file copied into the store).
	MaxUploadBytes int64 `json:"max_upload_bytes"`

	// The SMTP endpoint, for mail sent straight to Parley (MX record) or
	// forwarded to it; off unless SMTPAddr is set.
	SMTPAddr     string `json:"smtp_addr"`      // e.g. :25 or :2525
	SMTPHostname string `json:"smtp_hostname"`  // greeting name (default the public URL's host)
	SMTPTLSCert  string `json:"smtp_tls_cert"`  // PEM certificate file: offers STARTTLS
	SMTPTLSKey   string `json:"smtp_tls_key"`   // its PEM key file
	SMTPMaxBytes int64  `json:"smtp_max_bytes"` // larger mail is refused (552)
	// SMTPTrustedAuthServIDs names, comma-separated, the servers in front
	// of the endpoint (the MX, the forwarder) whose Authentication-Results
	// header may verify a sender; without one, mail that arrives by SMTP
	// has an unverified sender (anyone can write any From).
	SMTPTrustedAuthServIDs string `json:"smtp_trusted_authserv_id"`

	// Demo runs demo mode: a fake Meta platform in-process, four demo
	// channels on it, and simulated customers (package demo).
	Demo bool `json:"demo"`
	// The Meta app admins connect Facebook Pages, Instagram and WhatsApp
	// through (httpapi.MetaConnect); connecting is off without id and secret.
	MetaAppID              string `json:"meta_app_id"`
	MetaAppSecret          string `json:"meta_app_secret"`
	MetaLoginConfigID      string `json:"meta_login_config_id"`      // Facebook Login for Business configuration (optional)
	MetaWhatsAppConfigID   string `json:"meta_whatsapp_config_id"`   // Embedded Signup configuration, for the web app
	MetaGraphVersion       string `json:"meta_graph_version"`        // Graph API version of new Meta channels (default the adapters')
	MetaWebhookVerifyToken string `json:"meta_webhook_verify_token"` // verifies /hooks/meta in the App Dashboard
	// The Instagram app of Instagram Login (optional: the Meta app's id and secret otherwise).
	MetaInstagramAppID     string `json:"meta_instagram_app_id"`
	MetaInstagramAppSecret string `json:"meta_instagram_app_secret"`
}

// Defaults returns the zero-configuration settings.
func Defaults() Config {
	return Config{
		Addr:           ":8080",
		PublicURL:      "http://localhost:8080",
		DataDir:        "./data",
		NATSPrefix:     "parley",
		Partitions:     8,
		LogLevel:       "info",
		LogFormat:      "text",
		ShutdownGrace:  20 * time.Second,
		MaxUploadBytes: 25 << 20,
		SMTPMaxBytes:   25 << 20,
	}
}

// envPrefix namespaces environment variables: PARLEY_DATABASE, PARLEY_NATS…
const envPrefix = "PARLEY_"

// Load builds a Config from, in rising precedence: defaults, an optional
// JSON config file (--config or PARLEY_CONFIG), PARLEY_* environment
// variables, and command-line flags.
func Load(fs *flag.FlagSet, args []string) (Config, error) {
	cfg := Defaults()
	configPath := fs.String("config", os.Getenv(envPrefix+"CONFIG"), "JSON config file")
	set := bindFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if *configPath != "" {
		if err := loadFile(*configPath, &cfg); err != nil {
			return cfg, err
		}
	}
	if err := loadEnv(&cfg); err != nil {
		return cfg, err
	}
	// Flags win: re-apply only those given explicitly.
	fs.Visit(func(f *flag.Flag) {
		if apply, ok := set[f.Name]; ok { // other flags belong to the command
			apply(f.Value.String())
		}
	})
	return cfg, cfg.validate()
}

// field describes one setting once, for flags and environment alike.
type field struct {
	name, usage string
	apply       func(string) error
	current     func() string
}

func fields(c *Config) []field {
	str := func(p *string) (func(string) error, func() string) {
		return func(v string) error { *p = v; return nil }, func() string { return *p }
	}
	f := func(name, usage string, p *string) field {
		a, g := str(p)
		return field{name, usage, a, g}
	}
	return []field{
		f("addr", "HTTP listen address", &c.Addr),
		f("public-url", "public base URL of this instance", &c.PublicURL),
		f("data-dir", "directory for the SQLite file, embedded NATS and attachments", &c.DataDir),
		f("database", `database: "" for SQLite in the data dir, or postgres://user@host/db`, &c.Database),
		f("nats", `NATS: "" for embedded JetStream, or nats://host:4222 (comma-separated cluster)`, &c.NATS),
		f("nats-prefix", "stream and subject namespace on a shared NATS cluster", &c.NATSPrefix),
		f("secret-key", "32-byte key (hex or base64) encrypting channel credentials; every node must share it", &c.SecretKey),
		f("admin-email", "create this first admin at start if there is no agent", &c.AdminEmail),
		f("admin-password", "password of the first admin", &c.AdminPassword),
		f("node-id", "this node's name (default hostname-pid)", &c.NodeID),
		f("log-level", "debug, info, warn or error", &c.LogLevel),
		f("log-format", "text or json", &c.LogFormat),
		f("pprof-addr", "serve net/http/pprof on this address (e.g. 127.0.0.1:6060); off when empty", &c.PprofAddr),
		f("meta-app-id", "Meta app id for connecting Facebook Pages, Instagram and WhatsApp", &c.MetaAppID),
		f("meta-app-secret", "Meta app secret", &c.MetaAppSecret),
		f("meta-login-config-id", "Facebook Login for Business configuration id (optional)", &c.MetaLoginConfigID),
		f("meta-whatsapp-config-id", "WhatsApp Embedded Signup configuration id", &c.MetaWhatsAppConfigID),
		f("meta-graph-version", "Graph API version of new Meta channels, e.g. v25.0", &c.MetaGraphVersion),
		f("meta-webhook-verify-token", "verify token of the Meta app's callback URL /hooks/meta", &c.MetaWebhookVerifyToken),
		f("meta-instagram-app-id", "Instagram app id for Instagram Login (default: the Meta app id)", &c.MetaInstagramAppID),
		f("meta-instagram-app-secret", "Instagram app secret for Instagram Login", &c.MetaInstagramAppSecret),
		f("smtp-addr", "receive mail by SMTP on this address (e.g. :25 for an MX record, :2525 behind a forwarder); off when empty", &c.SMTPAddr),
		f("smtp-hostname", "name the SMTP endpoint greets with (default the public URL's host)", &c.SMTPHostname),
		f("smtp-tls-cert", "PEM certificate file; the SMTP endpoint offers STARTTLS with it", &c.SMTPTLSCert),
		f("smtp-tls-key", "PEM key file of --smtp-tls-cert", &c.SMTPTLSKey),
		f("smtp-trusted-authserv-id", "comma-separated authserv-ids of upstream servers whose Authentication-Results (dmarc/dkim/spf=pass) verify a sender on the SMTP endpoint", &c.SMTPTrustedAuthServIDs),
		{"smtp-max-bytes", "largest mail the SMTP endpoint accepts, in bytes", func(v string) (err error) { c.SMTPMaxBytes, err = strconv.ParseInt(v, 10, 64); return }, func() string { return strconv.FormatInt(c.SMTPMaxBytes, 10) }},
		{"demo", "demo mode: a fake Meta platform and simulated customers on four demo channels", func(v string) (err error) { c.Demo, err = strconv.ParseBool(v); return }, func() string { return strconv.FormatBool(c.Demo) }},
		{"partitions", "inbound stream partitions", func(v string) (err error) { c.Partitions, err = strconv.Atoi(v); return }, func() string { return strconv.Itoa(c.Partitions) }},
		{"sync-always", "fsync every JetStream write", func(v string) (err error) { c.SyncAlways, err = strconv.ParseBool(v); return }, func() string { return strconv.FormatBool(c.SyncAlways) }},
		{"secure-cookies", "mark session cookies Secure (HTTPS)", func(v string) (err error) { c.SecureCookies, err = strconv.ParseBool(v); return }, func() string { return strconv.FormatBool(c.SecureCookies) }},
		{"max-upload-bytes", "largest file agents may upload and inbound media copied into the store, in bytes", func(v string) (err error) { c.MaxUploadBytes, err = strconv.ParseInt(v, 10, 64); return }, func() string { return strconv.FormatInt(c.MaxUploadBytes, 10) }},
		{"shutdown-grace", "how long SIGTERM waits for in-flight work", func(v string) (err error) { c.ShutdownGrace, err = time.ParseDuration(v); return }, func() string { return c.ShutdownGrace.String() }},
	}
}

func bindFlags(fs *flag.FlagSet, c *Config) map[string]func(string) {
	set := map[string]func(string){}
	for _, f := range fields(c) {
		if boolFlags[f.name] { // may be given bare: --demo
			fs.Var(&boolString{f.current()}, f.name, f.usage+" (env "+envName(f.name)+")")
		} else {
			fs.String(f.name, f.current(), f.usage+" (env "+envName(f.name)+")")
		}
		apply := f.apply
		set[f.name] = func(v string) { _ = apply(v) }
	}
	return set
}

// boolFlags are the settings that may be given as a bare flag (--demo, --sync-always).
var boolFlags = map[string]bool{"demo": true, "sync-always": true, "secure-cookies": true}

// boolString is a flag value that keeps its text (applied like every other
// setting) but, being a bool flag, needs no value.
type boolString struct{ v string }

func (b *boolString) String() string     { return b.v }
func (b *boolString) Set(v string) error { b.v = v; return nil }
func (b *boolString) IsBoolFlag() bool   { return true }

func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func loadEnv(c *Config) error {
	for _, f := range fields(c) {
		if v, ok := os.LookupEnv(envName(f.name)); ok {
			if err := f.apply(v); err != nil {
				return fmt.Errorf("%s: %w", envName(f.name), err)
			}
		}
	}
	return nil
}

func loadFile(path string, c *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

func (c Config) validate() error {
	if c.Partitions < 1 || c.Partitions > 256 {
		return errors.New("partitions must be between 1 and 256")
	}
	if c.MaxUploadBytes < 1 {
		return errors.New("max-upload-bytes must be positive")
	}
	if (c.SMTPTLSCert == "") != (c.SMTPTLSKey == "") {
		return errors.New("smtp-tls-cert and smtp-tls-key go together")
	}
	if c.SMTPMaxBytes < 1<<10 {
		return errors.New("smtp-max-bytes must be at least 1024")
	}
	if c.Database != "" && !c.usesPostgres() && !strings.HasPrefix(c.Database, "sqlite:") && filepath.Ext(c.Database) == "" {
		return fmt.Errorf("database %q: want postgres://…, sqlite:path or a .db file path", c.Database)
	}
	return nil
}

func (c Config) usesPostgres() bool {
	return strings.HasPrefix(c.Database, "postgres://") || strings.HasPrefix(c.Database, "postgresql://")
}

// smtpHostname is the SMTP greeting name: the configured one, else the
// public URL's host.
func (c Config) smtpHostname() string {
	if c.SMTPHostname != "" {
		return c.SMTPHostname
	}
	if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// databaseDSN is the store DSN: the configured one, or SQLite in DataDir.
func (c Config) databaseDSN() string {
	if c.Database != "" {
		return c.Database
	}
	return filepath.Join(c.DataDir, "parley.db")
}

// secretKey returns the configured key, or the one kept in DataDir
// (created on first start). Several nodes on one database must be given the
// same key explicitly.
func (c Config) secretKey() ([]byte, error) {
	if c.SecretKey != "" {
		return decodeKey(c.SecretKey)
	}
	path := filepath.Join(c.DataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		return decodeKey(strings.TrimSpace(string(b)))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return key, nil
}

func decodeKey(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("secret key must be 32 bytes, hex or base64 encoded")
}

// DatabaseDSN is the store DSN the config selects.
func DatabaseDSN(c Config) string { return c.databaseDSN() }
