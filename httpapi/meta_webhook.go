package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/graph"
	"github.com/parleyhq/parley/metrics"
)

// Meta sends all webhooks of an app to the one callback URL set in the
// App Dashboard, whatever Page or Instagram account they concern (only a
// WhatsApp Business Account can override it, which connect does). So
// channels connected through the Meta app receive at /hooks/meta: the body
// is verified with the app secret, and every Meta channel whose account
// appears in it parses it (each adapter keeps only its own account's
// entries) and is enqueued like its own /hooks/{platform}/{id} would be.

// metaWebhookAccounts is the part of a Meta webhook that names accounts.
type metaWebhookAccounts struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      graph.FlexString `json:"id"`
		Changes []struct {
			Value struct {
				Metadata struct {
					PhoneNumberID graph.FlexString `json:"phone_number_id"`
				} `json:"metadata"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// accounts lists the account ids the body concerns, as config keys would
// name them (page_id / ig_account_id = entry id, phone_number_id).
func (b metaWebhookAccounts) accounts() map[string]bool {
	ids := map[string]bool{}
	for _, e := range b.Entry {
		if b.Object != "whatsapp_business_account" {
			ids[e.ID.String()] = true
		}
		for _, c := range e.Changes {
			if id := c.Value.Metadata.PhoneNumberID.String(); id != "" {
				ids[id] = true
			}
		}
	}
	return ids
}

// handleMetaWebhookHandshake answers the App Dashboard's verification GET
// with the app's webhook verify token.
func (s *Server) handleMetaWebhookHandshake(w http.ResponseWriter, r *http.Request) {
	m := s.cfg.Meta
	if !m.enabled() || m.WebhookVerifyToken == "" {
		s.writeError(w, r, parley.Errorf(parley.ENOTFOUND, "no such webhook"))
		return
	}
	if !graph.Handshake(w, r, m.WebhookVerifyToken) {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "not a webhook verification request"))
	}
}

// handleMetaWebhook verifies the app's signature and enqueues the events
// for every channel concerned; 200 only once all are durably stored.
func (s *Server) handleMetaWebhook(w http.ResponseWriter, r *http.Request) {
	const platform = "meta"
	receivedAt := s.clock.Now()
	m := s.cfg.Meta
	if !m.enabled() {
		s.reject(w, r, platform, rejectUnknownChannel, parley.Errorf(parley.ENOTFOUND, "no such webhook"))
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
	if err := m.verifyWebhook(r, body); err != nil {
		s.reject(w, r, platform, rejectSignature, verificationError(err))
		return
	}
	var env metaWebhookAccounts
	if err := json.Unmarshal(body, &env); err != nil {
		s.reject(w, r, platform, rejectMalformed, parley.WrapError(parley.EINVALID, err, "malformed webhook body"))
		return
	}
	n, err := s.enqueueMetaWebhook(r.Context(), env.accounts(), body, receivedAt)
	if err != nil {
		reason := rejectMalformed
		if code := parley.ErrorCode(err); code == parley.EUNAVAILABLE || code == parley.EINTERNAL {
			reason = rejectUnavailable
			w.Header().Set("Retry-After", "5")
		}
		s.reject(w, r, platform, reason, err)
		return
	}
	writeJSON(w, http.StatusOK, webhookAccepted{Accepted: n})
}

// enqueueMetaWebhook has each Meta channel of the accounts parse body and
// publishes what they found.
func (s *Server) enqueueMetaWebhook(ctx context.Context, accounts map[string]bool, body []byte, receivedAt time.Time) (int, error) {
	chans, err := s.channels.metaChannels(ctx, s.store, accounts)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ch := range chans {
		a, err := s.cfg.Adapters.Adapter(ch)
		if err != nil {
			return total, err
		}
		events, err := a.ParseWebhook(body)
		if err != nil {
			return total, parseError(err)
		}
		events = stampEvents(events, ch)
		if len(events) == 0 {
			continue
		}
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), inboundPublishTimeout)
		err = s.cfg.Inbound.PublishInbound(pctx, events, body, receivedAt)
		cancel()
		if err != nil {
			return total, parley.WrapError(parley.EUNAVAILABLE, err, "inbound queue unavailable; retry later")
		}
		metrics.InboundAccepted.WithLabelValues(string(ch.Platform)).Add(float64(len(events)))
		total += len(events)
	}
	return total, nil
}

// verifyWebhook accepts the Meta app's signature, or the Instagram app's:
// Instagram Login accounts' webhooks are signed with the Instagram app
// secret, which may differ from the Meta app's.
func (m *MetaConnect) verifyWebhook(r *http.Request, body []byte) error {
	err := graph.VerifyRequest(m.AppSecret, r, body)
	if err != nil && m.InstagramAppSecret != "" && m.InstagramAppSecret != m.AppSecret {
		if graph.VerifyRequest(m.InstagramAppSecret, r, body) == nil {
			return nil
		}
	}
	return err
}

func isMetaPlatform(p parley.Platform) bool {
	switch p {
	case parley.PlatformMessenger, parley.PlatformFacebookComments, parley.PlatformInstagram, parley.PlatformWhatsApp:
		return true
	}
	return false
}
