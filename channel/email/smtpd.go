package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
)

// SMTPReceiver is Parley's own SMTP endpoint, for deployments where mail is
// sent straight to Parley (an MX record) or forwarded to it. It accepts mail
// only for its addresses (and their plus-addresses), refuses mail over the
// size limit, and answers 250 only after Deliver took the mail; a failed
// Deliver answers 451 so the sending server tries again later.
type SMTPReceiver struct {
	Deliver DeliverFunc
	// Router, when set, replaces the fixed addresses and Deliver: it
	// decides which recipients are taken and which channels get the mail.
	Router Router
	// Domain is the name the server greets with.
	Domain string
	// MaxMessageBytes refuses larger mail (default 25 MiB).
	MaxMessageBytes int64
	// MaxRecipients per mail (default 50).
	MaxRecipients int
	// DeliverTimeout bounds one Deliver call (default 30 seconds).
	DeliverTimeout time.Duration
	// MaxConnections is how many sessions run at once (default 100);
	// further clients wait in the listen backlog. Each session may hold
	// one mail of MaxMessageBytes in memory.
	MaxConnections int
	// TLSConfig, if set, offers STARTTLS.
	TLSConfig *tls.Config
	Logger    *slog.Logger

	accept map[string]bool // folded local@domain that mail is accepted for
	server *smtp.Server
}

// NewSMTPReceiver accepts mail for the given addresses and their
// plus-addresses (support+anything@example.com).
func NewSMTPReceiver(addresses []string, deliver DeliverFunc) *SMTPReceiver {
	r := &SMTPReceiver{Deliver: deliver, accept: map[string]bool{}}
	for _, a := range addresses {
		r.accept[FoldAddress(a)] = true
	}
	return r
}

// Accepts reports whether mail for rcpt is taken: one of the receiver's
// addresses, with or without a +tag.
func (r *SMTPReceiver) Accepts(rcpt string) bool {
	local, domain, ok := strings.Cut(FoldAddress(strings.Trim(rcpt, "<>")), "@")
	if !ok {
		return false
	}
	base, _, _ := strings.Cut(local, "+")
	return r.accept[base+"@"+domain]
}

// NewRoutedSMTPReceiver accepts and delivers mail as router decides.
func NewRoutedSMTPReceiver(router Router) *SMTPReceiver {
	return &SMTPReceiver{Router: router, accept: map[string]bool{}}
}

// Serve answers SMTP on l until Close. It returns smtp.ErrServerClosed
// after Close.
func (r *SMTPReceiver) Serve(l net.Listener) error {
	r.server = smtp.NewServer(smtp.BackendFunc(r.newSession))
	r.server.Domain = r.domain()
	r.server.MaxMessageBytes = r.maxMessageBytes()
	r.server.MaxRecipients = r.maxRecipients()
	r.server.ReadTimeout = 5 * time.Minute
	r.server.WriteTimeout = time.Minute
	r.server.TLSConfig = r.TLSConfig
	r.server.ErrorLog = slogAdapter{r.logger()}
	return r.server.Serve(newLimitListener(l, r.maxConnections()))
}

// Close stops accepting connections and closes the open ones.
func (r *SMTPReceiver) Close() error {
	if r.server == nil {
		return nil
	}
	return r.server.Close()
}

func (r *SMTPReceiver) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{r: r, remote: c.Conn().RemoteAddr().String(), hello: c.Hostname()}, nil
}

func (r *SMTPReceiver) domain() string {
	if r.Domain != "" {
		return r.Domain
	}
	return "localhost"
}

func (r *SMTPReceiver) maxMessageBytes() int64 {
	if r.MaxMessageBytes > 0 {
		return r.MaxMessageBytes
	}
	return 25 << 20
}

func (r *SMTPReceiver) maxRecipients() int {
	if r.MaxRecipients > 0 {
		return r.MaxRecipients
	}
	return 50
}

func (r *SMTPReceiver) maxConnections() int {
	if r.MaxConnections > 0 {
		return r.MaxConnections
	}
	return 100
}

func (r *SMTPReceiver) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// smtpSession is one mail transaction.
type smtpSession struct {
	r      *SMTPReceiver
	remote string
	hello  string
	from   string
	rcpts  []string
}

var (
	errNoSuchMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	errTryLater      = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporarily unable to take the message, try again later"}
	errTooBig        = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message too big"}
)

func (s *smtpSession) Reset()        { s.from, s.rcpts = "", nil }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpSession) Mail(from string, opts *smtp.MailOptions) error {
	if opts != nil && opts.Size > s.r.maxMessageBytes() {
		rejected("too_large")
		return errTooBig
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ok, err := s.r.accepts(to)
	if err != nil {
		s.r.logger().Error("email: checking a recipient failed; asked the sender to retry", "rcpt", to, "err", err)
		rejected("unavailable")
		return errTryLater
	}
	if !ok {
		rejected("unknown_recipient")
		return errNoSuchMailbox
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

// Data reads the mail, adds trace fields (Return-Path, Delivered-To for
// each recipient, Received) and hands it to Deliver.
func (s *smtpSession) Data(body io.Reader) error {
	data, err := io.ReadAll(body)
	if err != nil {
		if errors.Is(err, smtp.ErrDataTooLarge) {
			rejected("too_large")
			return errTooBig
		}
		return err
	}
	var raw bytes.Buffer
	fmt.Fprintf(&raw, "Return-Path: <%s>\r\n", s.from)
	for _, rc := range s.rcpts {
		fmt.Fprintf(&raw, "Delivered-To: %s\r\n", rc)
	}
	fmt.Fprintf(&raw, "Received: from %s (%s) by %s (Parley); %s\r\n",
		sanitizeTrace(s.hello), sanitizeTrace(s.remote), s.r.domain(), time.Now().UTC().Format(time.RFC1123Z))
	raw.Write(data)

	timeout := s.r.DeliverTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.r.deliver(ctx, s.rcpts, raw.Bytes()); err != nil {
		s.r.logger().Error("email: delivering received mail failed; asked the sender to retry", "from", s.from, "err", err)
		rejected("unavailable")
		return errTryLater
	}
	return nil
}

func (r *SMTPReceiver) accepts(rcpt string) (bool, error) {
	if r.Router == nil {
		return r.Accepts(rcpt), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.Router.Accept(ctx, strings.Trim(rcpt, "<>"))
}

func (r *SMTPReceiver) deliver(ctx context.Context, rcpts []string, raw []byte) error {
	if r.Router == nil {
		return r.Deliver(ctx, raw)
	}
	return r.Router.DeliverMail(ctx, rcpts, raw)
}

// rejected counts mail the endpoint refused, beside refused webhooks.
func rejected(reason string) {
	metrics.InboundRejected.WithLabelValues(string(parley.PlatformEmail), reason).Inc()
}

// sanitizeTrace keeps a client-supplied name from breaking the header.
func sanitizeTrace(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e || r == '(' || r == ')' {
			return '_'
		}
		return r
	}, s)
}

// slogAdapter lets go-smtp log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Printf(format string, v ...any) {
	a.l.Warn("smtp server: " + fmt.Sprintf(format, v...))
}
func (a slogAdapter) Println(v ...any) { a.l.Warn("smtp server: " + fmt.Sprint(v...)) }

// limitListener accepts a connection only while fewer than cap(slots) are
// open, bounding the memory that sessions hold.
type limitListener struct {
	net.Listener
	slots chan struct{}
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, n)}
}

func (l *limitListener) Accept() (net.Conn, error) {
	l.slots <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

// limitConn gives its slot back when closed.
type limitConn struct {
	net.Conn
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
