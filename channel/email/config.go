package email

import (
	"net/mail"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// TLSMode says how a connection to a mail server is secured.
type TLSMode string

// TLS modes. STARTTLS is the default for submission (port 587), implicit
// TLS for port 465 and 993; "none" is only for a relay on the same host.
const (
	TLSStartTLS TLSMode = "starttls"
	TLSImplicit TLSMode = "tls"
	TLSNone     TLSMode = "none"
)

// Config is an e-mail channel's configuration, read from the channel's
// Config (non-secret) and Secrets maps:
//
//	from_address   support@example.com   the mailbox customers write to (required)
//	from_name      Example Support        display name on replies
//	smtp_host      smtp.example.com       outbound server (required to send)
//	smtp_port      587                    default 587 (starttls), 465 (tls), 25 (none)
//	smtp_tls       starttls | tls | none  default starttls
//	smtp_username  support@example.com    optional: no AUTH when empty
//	smtp_password  (secret)
//	imap_host, imap_port, imap_tls (default tls, port 993), imap_username,
//	imap_password (secret), imap_mailbox (default INBOX),
//	imap_processed_mailbox (optional: move handled mail there instead of marking it \Seen)
//	trusted_authserv_ids   mx.example.com  comma-separated authserv-ids whose
//	                       Authentication-Results decide whether a sender is
//	                       verified (IMAP: opt-in; SMTP endpoint: added to
//	                       --smtp-trusted-authserv-id)
type Config struct {
	FromAddress string
	FromName    string
	SMTP        ServerConfig
	IMAP        ServerConfig
	Mailbox     string
	Processed   string
	// TrustedAuthServIDs are the servers whose Authentication-Results
	// this channel believes (lower-cased).
	TrustedAuthServIDs []string
}

// ServerConfig is how to reach and log in to one mail server.
type ServerConfig struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string
	Password string
}

// Address is host:port.
func (s ServerConfig) Address() string { return s.Host + ":" + strconv.Itoa(s.Port) }

// ParseConfig reads and checks a channel's e-mail configuration.
func ParseConfig(ch *parley.Channel) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(ch.Config[k]) }
	secret := func(k string) string { return ch.Secrets[k] }
	c := Config{FromName: get("from_name"), Mailbox: get("imap_mailbox"), Processed: get("imap_processed_mailbox")}
	from, err := mail.ParseAddress(get("from_address"))
	if err != nil || !strings.Contains(from.Address, "@") {
		return c, parley.Errorf(parley.EINVALID, "channel %d: from_address %q is not an e-mail address", ch.ID, get("from_address"))
	}
	c.FromAddress = from.Address
	c.TrustedAuthServIDs = ParseTrustedIDs(get("trusted_authserv_ids"))
	if c.Mailbox == "" {
		c.Mailbox = "INBOX"
	}
	if c.SMTP, err = serverConfig(get, secret, "smtp", TLSStartTLS); err != nil {
		return c, err
	}
	if c.IMAP, err = serverConfig(get, secret, "imap", TLSImplicit); err != nil {
		return c, err
	}
	return c, nil
}

func serverConfig(get, secret func(string) string, prefix string, defaultTLS TLSMode) (ServerConfig, error) {
	s := ServerConfig{Host: get(prefix + "_host"), Username: get(prefix + "_username"), Password: secret(prefix + "_password")}
	s.TLS = TLSMode(strings.ToLower(get(prefix + "_tls")))
	if s.TLS == "" {
		s.TLS = defaultTLS
	}
	if s.TLS != TLSStartTLS && s.TLS != TLSImplicit && s.TLS != TLSNone {
		return s, parley.Errorf(parley.EINVALID, "%s_tls must be starttls, tls or none, not %q", prefix, s.TLS)
	}
	if p := get(prefix + "_port"); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port <= 0 || port > 65535 {
			return s, parley.Errorf(parley.EINVALID, "%s_port %q is not a port number", prefix, p)
		}
		s.Port = port
	} else {
		s.Port = defaultPort(prefix, s.TLS)
	}
	return s, nil
}

func defaultPort(prefix string, mode TLSMode) int {
	switch {
	case prefix == "imap" && mode == TLSImplicit:
		return 993
	case prefix == "imap":
		return 143
	case mode == TLSImplicit:
		return 465
	case mode == TLSNone:
		return 25
	}
	return 587
}

// domain is the part of the from address after the @.
func (c Config) domain() string {
	_, d, _ := strings.Cut(c.FromAddress, "@")
	return strings.ToLower(d)
}

// localPart is the part of the from address before the @.
func (c Config) localPart() string {
	l, _, _ := strings.Cut(c.FromAddress, "@")
	return l
}
