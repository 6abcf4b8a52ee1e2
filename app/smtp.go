package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email"
)

// adapterSource builds a channel's adapter (the registry, which carries
// whatever the node wires into adapters).
type adapterSource interface {
	Adapter(ch *parley.Channel) (parley.Adapter, error)
}

// mailRouter is the SMTP endpoint's view of the e-mail channels: every
// active e-mail channel receives mail for its from_address (and its
// plus-addresses) and for the addresses in Config["inbound_addresses"].
// It follows channel changes by reloading the list at most every
// routesMaxAge, and sooner after a miss, so a channel created a moment ago
// is not refused.
type mailRouter struct {
	channels parley.ChannelService
	adapters adapterSource
	inbound  parley.InboundPublisher
	logger   *slog.Logger
	// trusted are the authserv-ids whose Authentication-Results verify a
	// sender: mail that reaches the endpoint has an unchecked From.
	trusted []string

	mu       sync.Mutex
	routes   *email.Routes
	loadedAt time.Time
}

const (
	routesMaxAge    = 30 * time.Second
	routesMissRetry = time.Second // a miss reloads at most this often (spam probes stay cheap)
)

var _ email.Router = (*mailRouter)(nil)

// Accept is called for every RCPT TO.
func (m *mailRouter) Accept(ctx context.Context, rcpt string) (bool, error) {
	routes, err := m.current(ctx, routesMaxAge)
	if err != nil {
		return false, err
	}
	if len(routes.Lookup(rcpt)) > 0 {
		return true, nil
	}
	if routes, err = m.current(ctx, routesMissRetry); err != nil {
		return false, err
	}
	return len(routes.Lookup(rcpt)) > 0, nil
}

// DeliverMail publishes the mail's events for every channel it is for.
func (m *mailRouter) DeliverMail(ctx context.Context, rcpts []string, raw []byte) error {
	routes, err := m.current(ctx, routesMaxAge)
	if err != nil {
		return err
	}
	return email.DeliverRouted(ctx, routes, rcpts, raw)
}

// current returns routes no older than maxAge.
func (m *mailRouter) current(ctx context.Context, maxAge time.Duration) (*email.Routes, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.routes != nil && time.Since(m.loadedAt) < maxAge {
		return m.routes, nil
	}
	channels, err := m.channels.FindChannels(ctx)
	if err != nil {
		if m.routes != nil {
			m.logger.Warn("smtp: reloading e-mail channels failed; using the last list", "err", err)
			return m.routes, nil
		}
		return nil, err
	}
	var boxes []*email.Mailbox
	for _, ch := range channels {
		if b := m.mailbox(ch); b != nil {
			boxes = append(boxes, b)
		}
	}
	m.routes, m.loadedAt = email.NewRoutes(boxes), time.Now()
	return m.routes, nil
}

// mailbox is an active e-mail channel's entry, nil for other channels.
func (m *mailRouter) mailbox(ch *parley.Channel) *email.Mailbox {
	if ch.Platform != parley.PlatformEmail || ch.Status != parley.ChannelActive {
		return nil
	}
	a, err := m.adapters.Adapter(ch)
	if err != nil {
		m.logger.Warn("smtp: e-mail channel misconfigured; not receiving for it", "channel", ch.ID, "err", err)
		return nil
	}
	adapter, ok := a.(*email.Adapter)
	if !ok {
		return nil
	}
	publish := func(ctx context.Context, events []*parley.InboundEvent, raw []byte) error {
		return m.inbound.PublishInbound(ctx, events, raw, time.Now())
	}
	var aliases []string
	for _, s := range strings.Split(ch.Config["inbound_addresses"], ",") {
		if s = strings.TrimSpace(s); strings.Contains(s, "@") {
			aliases = append(aliases, s)
		}
	}
	return &email.Mailbox{ChannelID: ch.ID, Address: adapter.Config().FromAddress, Aliases: aliases, Deliver: adapter.DeliverUnauthenticatedTo(publish, m.trusted)}
}

// startSMTP serves the SMTP endpoint when Config.SMTPAddr is set.
func (a *App) startSMTP() error {
	if a.Config.SMTPAddr == "" {
		return nil
	}
	router := &mailRouter{channels: a.Store, adapters: a.Adapters, inbound: a.Bus, logger: a.Logger,
		trusted: email.ParseTrustedIDs(a.Config.SMTPTrustedAuthServIDs)}
	r := email.NewRoutedSMTPReceiver(router)
	r.Domain = a.Config.smtpHostname()
	r.MaxMessageBytes = a.Config.SMTPMaxBytes
	r.Logger = a.Logger
	if a.Config.SMTPTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(a.Config.SMTPTLSCert, a.Config.SMTPTLSKey)
		if err != nil {
			return fmt.Errorf("smtp: loading the STARTTLS certificate: %w", err)
		}
		r.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", a.Config.SMTPAddr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	a.smtp, a.smtpListener = r, ln
	go func() {
		if err := r.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			a.Logger.Error("smtp server stopped", "err", err)
		}
	}()
	a.Logger.Info("receiving mail by SMTP", "addr", ln.Addr().String(), "starttls", r.TLSConfig != nil)
	return nil
}

// SMTPAddr is the address the SMTP endpoint listens on ("" when off).
func (a *App) SMTPAddr() string {
	if a.smtpListener == nil {
		return ""
	}
	return a.smtpListener.Addr().String()
}
