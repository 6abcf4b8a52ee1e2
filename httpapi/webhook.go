package httpapi

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
)

// inboundPublishTimeout bounds the wait for the stream's acknowledgement;
// past it the platform gets 503 and retries.
const inboundPublishTimeout = 10 * time.Second

// Rejection reasons recorded in metrics.InboundRejected.
const (
	rejectUnknownChannel = "unknown_channel"
	rejectSignature      = "signature"
	rejectMalformed      = "malformed"
	rejectTooLarge       = "too_large"
	rejectUnavailable    = "unavailable"
	rejectError          = "error" // our own failure (database down, adapter bug)
)

// webhookChannel loads the channel and adapter a webhook URL names. An
// unknown channel, a platform that does not match, or a disabled channel are
// all 404: nothing about our channels is revealed to a stranger.
func (s *Server) webhookChannel(r *http.Request) (*parley.Channel, parley.Adapter, error) {
	notFound := parley.Errorf(parley.ENOTFOUND, "no such webhook")
	id, err := strconv.ParseInt(r.PathValue("channelID"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, notFound
	}
	ch, err := s.channels.find(r.Context(), s.store, id)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, nil, notFound
	} else if err != nil {
		return nil, nil, err
	}
	if string(ch.Platform) != r.PathValue("platform") || ch.Status == parley.ChannelDisabled {
		return nil, nil, notFound
	}
	a, err := s.cfg.Adapters.Adapter(ch)
	if parley.ErrorCode(err) == parley.EUNSUPPORTED {
		return nil, nil, notFound
	} else if err != nil {
		return nil, nil, err
	}
	return ch, a, nil
}

// metricPlatform keeps the metric's platform label to known values: the
// path is chosen by whoever calls.
func metricPlatform(p string) string {
	if parley.Platform(p).Valid() {
		return p
	}
	return "unknown"
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request, platform, reason string, err error) {
	metrics.InboundRejected.WithLabelValues(metricPlatform(platform), reason).Inc()
	s.writeError(w, r, err)
}

// handleWebhookHandshake answers a platform's URL verification GET.
func (s *Server) handleWebhookHandshake(w http.ResponseWriter, r *http.Request) {
	_, a, err := s.webhookChannel(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hs, ok := a.(parley.Handshaker)
	if !ok {
		w.Header().Set("Allow", http.MethodPost)
		s.writeError(w, r, parley.Errorf(codeMethodNotAllowed, "this platform's webhook takes POST only"))
		return
	}
	if !hs.Handshake(w, r) {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "not a webhook verification request"))
	}
}

// handleWebhook is the inbound front door: read the raw body (bounded),
// verify its signature, parse it, and answer 200 only after the inbound
// stream has durably stored every event. Any rejection stores and
// publishes nothing; 503 makes the platform retry later.
func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	receivedAt := s.clock.Now()
	platform := r.PathValue("platform")
	ch, a, err := s.webhookChannel(r)
	if err != nil {
		reason := rejectUnknownChannel
		if parley.ErrorCode(err) != parley.ENOTFOUND {
			reason = rejectError
		}
		s.reject(w, r, platform, reason, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxWebhookBytes))
	if isMaxBytes(err) {
		s.reject(w, r, platform, rejectTooLarge, parley.Errorf(parley.ETOOLARGE, "webhook body exceeds %d bytes", s.cfg.MaxWebhookBytes))
		return
	} else if err != nil {
		s.reject(w, r, platform, rejectMalformed, parley.WrapError(parley.EINVALID, err, "reading webhook body failed"))
		return
	}
	if err := a.VerifyWebhook(r, body); err != nil {
		s.reject(w, r, platform, rejectSignature, verificationError(err))
		return
	}
	events, err := a.ParseWebhook(body)
	if err != nil {
		s.reject(w, r, platform, rejectMalformed, parseError(err))
		return
	}
	events = stampEvents(events, ch)
	if len(events) > 0 {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), inboundPublishTimeout)
		err = s.cfg.Inbound.PublishInbound(ctx, events, body, receivedAt)
		cancel()
		if err != nil {
			w.Header().Set("Retry-After", "5")
			s.reject(w, r, platform, rejectUnavailable, parley.WrapError(parley.EUNAVAILABLE, err, "inbound queue unavailable; retry later"))
			return
		}
		metrics.InboundAccepted.WithLabelValues(string(ch.Platform)).Add(float64(len(events)))
	}
	if resp, ok := a.(parley.WebhookResponder); ok {
		resp.RespondWebhook(w)
		return
	}
	writeJSON(w, http.StatusOK, webhookAccepted{Accepted: len(events)})
}

type webhookAccepted struct {
	Accepted int `json:"accepted"`
}

// stampEvents drops nil events and marks the rest with the channel they
// arrived on: adapters parse bodies, the URL says which channel it is.
func stampEvents(events []*parley.InboundEvent, ch *parley.Channel) []*parley.InboundEvent {
	out := events[:0]
	for _, e := range events {
		if e == nil {
			continue
		}
		e.ChannelID, e.Platform = ch.ID, ch.Platform
		out = append(out, e)
	}
	return out
}

// verificationError is 401 whatever the adapter said, unless the adapter
// itself failed (internal, unavailable): then the platform should retry.
func verificationError(err error) error {
	switch parley.ErrorCode(err) {
	case parley.EUNAUTHORIZED, parley.EINTERNAL, parley.EUNAVAILABLE:
		return err
	}
	return parley.WrapError(parley.EUNAUTHORIZED, err, "webhook signature verification failed")
}

// parseError is 400 for anything the adapter could not parse.
func parseError(err error) error {
	if parley.ErrorCode(err) == parley.EINVALID {
		return err
	}
	return parley.WrapError(parley.EINVALID, err, "malformed webhook body")
}
