package httpapi

import (
	"context"

	"github.com/parleyhq/parley"
)

// replyThreader is an adapter whose replies continue the customer's last
// message on the channel (mail: In-Reply-To and References), so the reply
// threads in the customer's client.
type replyThreader interface {
	ThreadReply(reply, answered *parley.Message)
}

// lastInboundFinder finds the message a reply answers; the SQL store has it.
type lastInboundFinder interface {
	FindLastInboundMessage(ctx context.Context, conversationID, channelID int64) (*parley.Message, error)
}

// threadReply lets the channel's adapter tie a new reply to the customer's
// last message before it is stored. It is best effort: a reply that cannot
// be threaded still goes out, as the start of a new thread.
func (s *Server) threadReply(ctx context.Context, c *parley.Conversation, m *parley.Message) {
	finder, ok := s.store.(lastInboundFinder)
	if !ok || m.Direction != parley.DirectionOut {
		return
	}
	ch, err := s.store.FindChannelByID(ctx, c.ChannelID)
	if err != nil {
		return
	}
	adapter, err := s.cfg.Adapters.Adapter(ch)
	if err != nil {
		return
	}
	threader, ok := adapter.(replyThreader)
	if !ok {
		return
	}
	answered, err := finder.FindLastInboundMessage(ctx, c.ID, c.ChannelID)
	if err != nil {
		if parley.ErrorCode(err) != parley.ENOTFOUND {
			s.log.WarnContext(ctx, "finding the message a reply answers", "conversation_id", c.ID, "err", err)
		}
		return
	}
	threader.ThreadReply(m, answered)
}
