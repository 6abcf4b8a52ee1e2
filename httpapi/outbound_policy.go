package httpapi

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/pipeline"
)

// checkOutbound refuses, before it is queued, a reply that cannot or must
// not go out (pipeline.OutboundPolicy): 422 with details.reason.
func (s *Server) checkOutbound(ctx context.Context, c *parley.Conversation, m *parley.Message) error {
	if m.Direction != parley.DirectionOut {
		return nil
	}
	window, err := s.replyWindow(ctx, c.ChannelID)
	if err != nil {
		return err
	}
	return pipeline.OutboundPolicy{Store: s.store}.Check(ctx, c, m, window, s.clock.Now())
}

// replyWindow is the channel's reply window; 0 if it has none or no adapter
// (the sender reports a channel without an adapter).
func (s *Server) replyWindow(ctx context.Context, channelID int64) (time.Duration, error) {
	ch, err := s.channels.find(ctx, s.store, channelID)
	if err != nil {
		return 0, err
	}
	a, err := s.cfg.Adapters.Adapter(ch)
	if err != nil {
		return 0, nil
	}
	return a.Capabilities().ReplyWindow, nil
}
