package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/parleyhq/parley"
)

// Send delivers one reply over SMTP and returns its Message-ID as the
// ExternalID, so bounces and the customer's answer can find it. Errors are
// *parley.SendError: 4xx and network trouble are transient, 5xx permanent
// with the server's words, and a rejected login or a server that cannot be
// trusted (no STARTTLS, bad certificate) is auth, so the channel is held
// until an admin fixes it.
func (a *Adapter) Send(ctx context.Context, m parley.OutboundMessage) (parley.SendResult, error) {
	if a.cfg.SMTP.Host == "" {
		return parley.SendResult{}, &parley.SendError{Class: parley.SendAuth, Reason: "the channel has no smtp_host configured"}
	}
	files, err := a.loadAttachments(ctx, m)
	if err != nil {
		return parley.SendResult{}, err
	}
	out, err := a.compose(m, files, a.Clock.Now())
	if err != nil {
		return parley.SendResult{}, &parley.SendError{Class: parley.SendPermanent, Reason: parley.ErrorMessage(err), Err: err}
	}
	if err := a.deliver(ctx, out); err != nil {
		return parley.SendResult{}, classifySMTPError(err)
	}
	return parley.SendResult{ExternalID: out.messageID, Status: parley.MessageSent}, nil
}

// loadAttachments fetches the reply's files through LoadAttachment. A
// channel without a loader cannot send files: that fails the message
// rather than silently dropping what the agent attached.
func (a *Adapter) loadAttachments(ctx context.Context, m parley.OutboundMessage) ([]file, error) {
	if m.Message == nil || len(m.Message.Attachments) == 0 {
		return nil, nil
	}
	if a.LoadAttachment == nil {
		return nil, &parley.SendError{Class: parley.SendPermanent, Reason: "this e-mail channel cannot send attachments"}
	}
	var files []file
	total := 0
	for _, att := range m.Message.Attachments {
		data, err := a.LoadAttachment(ctx, att)
		if err != nil {
			return nil, &parley.SendError{Class: parley.SendTransient, Reason: "loading attachment " + att.Filename, Err: err}
		}
		if total += len(data); total > MaxAttachmentBytes {
			return nil, &parley.SendError{Class: parley.SendPermanent, Reason: fmt.Sprintf("attachments exceed %d MiB", MaxAttachmentBytes>>20)}
		}
		files = append(files, file{att: att, data: data})
	}
	return files, nil
}

// deliver runs one SMTP conversation: connect, secure, log in, send, quit.
func (a *Adapter) deliver(ctx context.Context, out *outgoing) error {
	if _, ok := ctx.Deadline(); !ok && a.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.Timeout)
		defer cancel()
	}
	c, err := a.dialSMTP(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := a.login(c); err != nil {
		return err
	}
	if err := c.SendMail(a.cfg.FromAddress, out.to, bytes.NewReader(out.raw)); err != nil {
		return err
	}
	return c.Quit()
}

// dialSMTP connects and secures the connection as the channel says. The
// connection is closed when ctx ends, which unblocks any command.
func (a *Adapter) dialSMTP(ctx context.Context) (*smtp.Client, error) {
	s := a.cfg.SMTP
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Address())
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, func() { conn.Close() })
	var c *smtp.Client
	switch s.TLS {
	case TLSImplicit:
		c = smtp.NewClient(tls.Client(conn, a.tlsConfig(s.Host)))
	case TLSStartTLS:
		if c, err = smtp.NewClientStartTLS(conn, a.tlsConfig(s.Host)); err != nil {
			conn.Close()
			return nil, err
		}
	default:
		c = smtp.NewClient(conn)
	}
	if dl, ok := ctx.Deadline(); ok {
		c.CommandTimeout, c.SubmissionTimeout = time.Until(dl), time.Until(dl)
	}
	// After STARTTLS the client must greet again, so this is the first
	// hello on every path.
	if err := c.Hello(a.cfg.domain()); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (a *Adapter) tlsConfig(host string) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if a.TLSConfig != nil {
		cfg = a.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return cfg
}

// login authenticates when the channel has a username, with PLAIN or, for
// servers that only offer it, LOGIN.
func (a *Adapter) login(c *smtp.Client) error {
	s := a.cfg.SMTP
	if s.Username == "" {
		return nil
	}
	if ok, _ := c.Extension("AUTH"); !ok {
		return &parley.SendError{Class: parley.SendAuth, Reason: "the SMTP server offers no AUTH, but the channel has a username"}
	}
	if !c.SupportsAuth("PLAIN") && c.SupportsAuth("LOGIN") {
		return c.Auth(sasl.NewLoginClient(s.Username, s.Password))
	}
	return c.Auth(sasl.NewPlainClient("", s.Username, s.Password))
}

// classifySMTPError turns what went wrong into a SendError the sender can act on.
func classifySMTPError(err error) *parley.SendError {
	var se *parley.SendError
	if errors.As(err, &se) {
		return se
	}
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) {
		return classifyReply(smtpErr, err)
	}
	if reason, ok := trustFailure(err); ok {
		return &parley.SendError{Class: parley.SendAuth, Reason: reason, Err: err}
	}
	return &parley.SendError{Class: parley.SendTransient, Reason: "SMTP connection failed", Err: err}
}

// classifyReply maps an SMTP reply code: 530/534/535/538 refuse our login,
// other 5xx refuse the mail for good, 4xx ask us to come back later.
func classifyReply(e *smtp.SMTPError, err error) *parley.SendError {
	code := fmt.Sprintf("%d", e.Code)
	if e.EnhancedCode != smtp.NoEnhancedCode && e.EnhancedCode != (smtp.EnhancedCode{}) {
		code += fmt.Sprintf(" %d.%d.%d", e.EnhancedCode[0], e.EnhancedCode[1], e.EnhancedCode[2])
	}
	class := parley.SendTransient
	switch {
	case e.Code == 530 || e.Code == 534 || e.Code == 535 || e.Code == 538:
		class = parley.SendAuth
	case e.Code >= 500:
		class = parley.SendPermanent
	}
	return &parley.SendError{Class: class, Code: code, Reason: e.Message, Err: err}
}

// trustFailure recognises a server we must not send to: it will not
// encrypt, or its certificate does not verify. Retrying cannot help.
func trustFailure(err error) (string, bool) {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify):
		return "the SMTP server's certificate does not verify: " + err.Error(), true
	case strings.Contains(err.Error(), "doesn't support STARTTLS"):
		return "the SMTP server does not offer STARTTLS", true
	}
	return "", false
}
