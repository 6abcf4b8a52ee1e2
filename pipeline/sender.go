package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
)

// Sender defaults.
const (
	DefaultMaxAttempts = 8
	DefaultBaseBackoff = 2 * time.Second
	DefaultMaxBackoff  = 10 * time.Minute
	// DefaultHold is how far a held message's retry is pushed: far enough
	// that only a reconnect (which requeues it) sends it.
	DefaultHold = 365 * 24 * time.Hour
)

// Sender sends queued outbound messages. Its Handle is a
// bus.OutboundHandler. The message row is the outbox: a send happens only
// after ClaimMessage wins (so two nodes never send the same message), and
// every outcome is written back to the row: sent, requeued for a retry
// (the Sweeper republishes it when due), held on a disconnected channel, or
// failed with the platform's reason.
type Sender struct {
	Store    parley.Store
	Adapters parley.AdapterSource
	Events   parley.EventPublisher
	// Outbound republishes a retry when it is due (a timer on this node,
	// for delays up to a minute); the Sweeper is the durable fallback.
	Outbound parley.OutboundPublisher
	Clock    parley.Clock
	Logger   *slog.Logger
	// FileURLs, if set, gives stored attachments the signed public address
	// platforms fetch them from (Meta's attachment url, WhatsApp's link).
	FileURLs FileLinker

	MaxAttempts int           // sends before a transient failure becomes final (default 8)
	BaseBackoff time.Duration // first retry delay (default 2 s), doubling per attempt
	MaxBackoff  time.Duration // retry delay cap (default 10 min)
	Hold        time.Duration // retry delay of a held message (default one year)

	limiters limiters
}

// Handle sends message messageID. It returns an error only when it could
// not record an outcome (e.g. the database is down), so the bus redelivers.
func (s *Sender) Handle(ctx context.Context, messageID int64, attempt int) error {
	claimed, err := s.Store.ClaimMessage(ctx, messageID)
	if err != nil {
		return err
	}
	if !claimed {
		return nil // another node has it, or it is done
	}
	job, err := s.load(ctx, messageID)
	if err != nil {
		s.log().Warn("loading claimed message", "message_id", messageID, "err", err)
		return s.requeue(ctx, messageID, s.backoff(1), "could not load: "+parley.ErrorMessage(err))
	}
	return s.send(ctx, job)
}

// sendJob is everything one send needs.
type sendJob struct {
	msg     *parley.Message
	conv    *parley.Conversation
	contact *parley.Contact
	channel *parley.Channel
}

func (s *Sender) load(ctx context.Context, id int64) (*sendJob, error) {
	var j sendJob
	var err error
	if j.msg, err = s.Store.FindMessageByID(ctx, id); err != nil {
		return nil, err
	}
	if j.conv, err = s.Store.FindConversationByID(ctx, j.msg.ConversationID); err != nil {
		return nil, err
	}
	if j.contact, err = s.Store.FindContactByID(ctx, j.conv.ContactID); err != nil {
		return nil, err
	}
	if j.channel, err = s.Store.FindChannelByID(ctx, j.msg.ChannelID); err != nil {
		return nil, err
	}
	j.conv.Contact = j.contact
	return &j, nil
}

func (s *Sender) send(ctx context.Context, j *sendJob) error {
	if j.channel.Status != parley.ChannelActive {
		return s.hold(ctx, j, "channel "+string(j.channel.Status))
	}
	recipient := Recipient(j.contact, j.channel)
	if recipient == nil {
		return s.fail(ctx, j, "no_recipient", "the contact has no identity on this channel")
	}
	adapter, err := s.Adapters.Adapter(j.channel)
	if err != nil {
		return s.fail(ctx, j, "no_adapter", parley.ErrorMessage(err))
	}
	if refused, err := s.checkPolicy(ctx, j, adapter); refused {
		return err
	}
	if err := s.limiters.wait(ctx, j.channel); err != nil {
		return s.requeue(ctx, j.msg.ID, s.backoff(j.msg.Attempts), "rate limiter: "+err.Error())
	}
	out := parley.OutboundMessage{
		Channel: j.channel, Conversation: j.conv, Contact: j.contact, Recipient: recipient, Message: s.withFileLinks(j.msg),
	}
	if parts := splitForChannel(j.msg, adapter.Capabilities()); len(parts) > 1 {
		res, sent, err := s.sendParts(ctx, adapter, out, parts)
		if err != nil && sent > 0 {
			code, reason := partialFailure(err, sent, len(parts))
			return s.fail(ctx, j, code, reason)
		} else if err != nil {
			return s.failed(ctx, j, err)
		}
		return s.sent(ctx, j, res)
	}
	res, err := adapter.Send(ctx, out)
	if err != nil {
		return s.failed(ctx, j, err)
	}
	return s.sent(ctx, j, res)
}

// checkPolicy applies OutboundPolicy again at send time: the templates or
// the contact's consent may have changed since the reply was queued. A
// refused message fails with the refusal's reason as its code; a store
// error is retried. refused says the outcome is recorded (err: recording it
// failed).
func (s *Sender) checkPolicy(ctx context.Context, j *sendJob, a parley.Adapter) (refused bool, err error) {
	perr := OutboundPolicy{Store: s.Store}.Check(ctx, j.conv, j.msg, a.Capabilities().ReplyWindow, s.clock().Now())
	switch {
	case perr == nil:
		return false, nil
	case RefusalReason(perr) != "":
		return true, s.fail(ctx, j, RefusalReason(perr), parley.ErrorMessage(perr))
	case parley.ErrorCode(perr) == parley.EINVALID:
		return true, s.fail(ctx, j, "invalid_message", parley.ErrorMessage(perr))
	}
	return true, s.requeue(ctx, j.msg.ID, s.backoff(j.msg.Attempts), "checking templates and consent: "+parley.ErrorMessage(perr))
}

func (s *Sender) sent(ctx context.Context, j *sendJob, res parley.SendResult) error {
	status := res.Status
	if status == "" {
		status = parley.MessageSent
	}
	m, err := s.Store.UpdateMessageStatus(ctx, parley.StatusUpdate{
		MessageID: j.msg.ID, Status: status, ExternalID: res.ExternalID, At: s.clock().Now(),
	})
	if err != nil {
		// Sent but not recorded: the row stays in sending and the Sweeper
		// would send it again after its lease; the adapter's idempotency
		// key (the message id) is what stops a second delivery.
		s.log().Error("message sent but status not recorded", "message_id", j.msg.ID, "err", err)
		return err
	}
	metrics.OutboundSent.WithLabelValues(string(j.channel.Platform)).Inc()
	s.announce(ctx, j, m)
	return nil
}

// failed sorts a send error into retry, hold or fail.
func (s *Sender) failed(ctx context.Context, j *sendJob, err error) error {
	se := classify(err)
	metrics.SendFailures.WithLabelValues(string(j.channel.Platform), string(se.Class)).Inc()
	s.log().Info("send failed", "message_id", j.msg.ID, "attempt", j.msg.Attempts, "class", se.Class, "code", se.Code, "reason", se.Reason)
	switch se.Class {
	case parley.SendPermanent:
		return s.fail(ctx, j, se.Code, se.Reason)
	case parley.SendAuth:
		return s.disconnect(ctx, j, se)
	}
	if j.msg.Attempts >= s.maxAttempts() {
		return s.fail(ctx, j, se.Code, se.Reason)
	}
	delay := s.backoff(j.msg.Attempts)
	if se.Class == parley.SendRateLimited && se.RetryAfter > 0 {
		delay = se.RetryAfter
	}
	if err := s.requeue(ctx, j.msg.ID, delay, se.Reason); err != nil {
		return err
	}
	s.announceCurrent(ctx, j)
	s.republishAfter(j.msg.ID, j.msg.Attempts, delay)
	return nil
}

// maxTimerDelay bounds the retries kept as in-memory timers; later ones
// wait for the Sweeper.
const maxTimerDelay = time.Minute

// republishAfter queues the retry when it is due. It uses the attempt
// number the Sweeper would use, so if both fire the stream keeps one.
func (s *Sender) republishAfter(id int64, attempt int, delay time.Duration) {
	if s.Outbound == nil || delay > maxTimerDelay {
		return
	}
	time.AfterFunc(delay, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Outbound.PublishOutbound(ctx, id, attempt); err != nil {
			s.log().Warn("republishing retry; the sweeper will", "message_id", id, "err", err)
		}
	})
}

// classify treats an unclassified error as transient: a network failure
// is worth retrying, and the attempt limit stops a hopeless one.
func classify(err error) *parley.SendError {
	var se *parley.SendError
	if errors.As(err, &se) {
		if se.Reason == "" {
			se.Reason = se.Error()
		}
		return se
	}
	return &parley.SendError{Class: parley.SendTransient, Reason: err.Error(), Err: err}
}

func (s *Sender) fail(ctx context.Context, j *sendJob, code, reason string) error {
	m, err := s.Store.UpdateMessageStatus(ctx, parley.StatusUpdate{
		MessageID: j.msg.ID, Status: parley.MessageFailed, FailureCode: code, FailureReason: reason, At: s.clock().Now(),
	})
	if err != nil {
		return err
	}
	s.announce(ctx, j, m)
	return nil
}

// disconnect marks the channel disconnected (an admin must reconnect it)
// and holds the message rather than losing it.
func (s *Sender) disconnect(ctx context.Context, j *sendJob, se *parley.SendError) error {
	status := parley.ChannelDisconnected
	reason := se.Reason
	ch, err := s.Store.UpdateChannel(ctx, j.channel.ID, parley.ChannelUpdate{Status: &status, StatusReason: &reason})
	if err != nil {
		return err
	}
	publishEvents(ctx, s.Events, s.log(), []*parley.Event{{Type: parley.EventChannelUpdated, Channel: ch, At: s.clock().Now()}})
	return s.hold(ctx, j, "channel disconnected: "+reason)
}

func (s *Sender) hold(ctx context.Context, j *sendJob, reason string) error {
	if err := s.requeue(ctx, j.msg.ID, s.holdFor(), reason); err != nil {
		return err
	}
	s.announceCurrent(ctx, j)
	return nil
}

func (s *Sender) requeue(ctx context.Context, id int64, delay time.Duration, reason string) error {
	return s.Store.RequeueMessage(ctx, id, s.clock().Now().Add(delay), reason)
}

// announceCurrent publishes the message as it now is in the store.
func (s *Sender) announceCurrent(ctx context.Context, j *sendJob) {
	m, err := s.Store.FindMessageByID(ctx, j.msg.ID)
	if err != nil {
		s.log().Warn("reloading message for its event", "message_id", j.msg.ID, "err", err)
		return
	}
	s.announce(ctx, j, m)
}

func (s *Sender) announce(ctx context.Context, j *sendJob, m *parley.Message) {
	publishEvents(ctx, s.Events, s.log(), []*parley.Event{{
		Type: parley.EventMessageUpdated, Message: m, Conversation: j.conv, At: s.clock().Now(),
	}})
}

// backoff is the delay before retry n (n ≥ 1): base·2ⁿ⁻¹ capped, with
// "equal jitter" (half fixed, half random) so that retries of many
// messages after one outage spread out.
func (s *Sender) backoff(n int) time.Duration {
	base, ceiling := s.BaseBackoff, s.MaxBackoff
	if base <= 0 {
		base = DefaultBaseBackoff
	}
	if ceiling <= 0 {
		ceiling = DefaultMaxBackoff
	}
	d := ceiling
	if n := max(n, 1); n < 32 && base<<(n-1) < ceiling {
		d = base << (n - 1)
	}
	return d/2 + rand.N(d/2+1)
}

func (s *Sender) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (s *Sender) holdFor() time.Duration {
	if s.Hold > 0 {
		return s.Hold
	}
	return DefaultHold
}

func (s *Sender) clock() parley.Clock { return clockOrSystem(s.Clock) }

func (s *Sender) log() *slog.Logger { return loggerOrDefault(s.Logger, "sender") }

// FileLinker makes the public address of a stored file
// (filestore.Signer).
type FileLinker interface {
	URL(key string, now time.Time) string
}

// withFileLinks returns m with every stored attachment's URL replaced by
// its signed public address; the stored row keeps the agents' address.
func (s *Sender) withFileLinks(m *parley.Message) *parley.Message {
	if s.FileURLs == nil || len(m.Attachments) == 0 {
		return m
	}
	out := *m
	out.Attachments = append([]parley.Attachment(nil), m.Attachments...)
	now := s.clock().Now()
	for i, a := range out.Attachments {
		if a.StorageKey != "" {
			out.Attachments[i].URL = s.FileURLs.URL(a.StorageKey, now)
		}
	}
	return &out
}
