package email

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
)

// Publisher takes the canonical events of one inbound mail, with the raw
// mail for de-duplication keys; in production it publishes them to the
// inbound stream and returns only once the stream acknowledged them.
type Publisher func(ctx context.Context, events []*parley.InboundEvent, raw []byte) error

// DeliverTo is the DeliverFunc that wires a transport (IMAPPoller,
// SMTPReceiver) to the inbound stream through this adapter. A mail that is
// not a mail (EINVALID) is counted and dropped rather than refused: it
// would never parse, and refusing it would stop the mailbox behind it. A
// failed publish is returned, so the transport keeps the mail and retries.
func (a *Adapter) DeliverTo(publish Publisher) DeliverFunc {
	return a.deliverParsed(publish, a.ParseWebhook)
}

// DeliverUnauthenticatedTo is DeliverTo for mail nobody checked (the SMTP
// endpoint): see ParseUnauthenticated.
func (a *Adapter) DeliverUnauthenticatedTo(publish Publisher, trusted []string) DeliverFunc {
	return a.deliverParsed(publish, func(raw []byte) ([]*parley.InboundEvent, error) { return a.ParseUnauthenticated(raw, trusted) })
}

func (a *Adapter) deliverParsed(publish Publisher, parse func([]byte) ([]*parley.InboundEvent, error)) DeliverFunc {
	return func(ctx context.Context, raw []byte) error {
		events, err := parse(raw)
		if parley.ErrorCode(err) == parley.EINVALID {
			metrics.InboundRejected.WithLabelValues(string(parley.PlatformEmail), "malformed").Inc()
			a.Logger.Warn("email: dropped a mail that cannot be parsed", "channel", a.channel.ID, "err", err)
			return nil
		}
		if err != nil {
			return err
		}
		if len(events) == 0 {
			metrics.InboundRejected.WithLabelValues(string(parley.PlatformEmail), "automatic").Inc()
			return nil
		}
		return publish(ctx, events, raw)
	}
}
