package httpapi

import (
	"net/http"
	"time"

	"github.com/parleyhq/parley"
)

// releaseBatch bounds one scan of held replies; a channel with more held
// replies than this is released over several reconnects or by the sweeper's
// normal schedule once they are due.
const releaseBatch = 1000

// heldHorizon reaches past any hold the sender sets (a year by default), so
// the outbox scan finds held replies as well as due ones.
const heldHorizon = 100 * 365 * 24 * time.Hour

// releaseHeld sends again the replies the sender held while channel ch was
// disconnected (an expired or revoked token): an admin has just set it
// active again, usually with new secrets. They are requeued as due now and
// handed to the sender; anything missed here the sweeper picks up.
func (s *Server) releaseHeld(r *http.Request, ch *parley.Channel) {
	now := s.clock.Now()
	msgs, err := s.store.FindStaleOutbound(r.Context(), now.Add(heldHorizon), time.Time{}, releaseBatch)
	if err != nil {
		s.log.WarnContext(r.Context(), "finding held replies of a reconnected channel", requestAttrs(r, "channel_id", ch.ID, "err", err)...)
		return
	}
	for _, m := range msgs {
		if m.ChannelID != ch.ID || m.Status != parley.MessageQueued {
			continue
		}
		if err := s.store.RequeueMessage(r.Context(), m.ID, now, "channel reconnected"); err != nil {
			s.log.WarnContext(r.Context(), "releasing a held reply", requestAttrs(r, "message_id", m.ID, "err", err)...)
			continue
		}
		s.queueOutbound(r, m.ID, m.Attempts)
	}
}
