package parley

import "context"

// ReadMarker is an adapter that can tell the platform a customer's message
// was read (blue ticks, "seen"). Optional: adapters without it are simply
// not told. recipient is the customer's identity on the channel; some
// platforms need it, others the platform's message id.
type ReadMarker interface {
	MarkRead(ctx context.Context, recipient *Identity, platformMessageID string) error
}

// ReadPositionService keeps how far each agent has read each conversation,
// and which customer messages were reported read to their platform.
type ReadPositionService interface {
	// MarkConversationRead moves the agent's position forward to
	// messageID, a message of the conversation; never backwards.
	MarkConversationRead(ctx context.Context, conversationID, agentID, messageID int64) error
	// UnreadConversations reports which of ids hold a customer message
	// newer than the agent's position.
	UnreadConversations(ctx context.Context, agentID int64, ids []int64) (map[int64]bool, error)
	// ClaimReadReceipt claims the newest customer message up to upTo not
	// yet reported to the platform; ok is false when there is none.
	ClaimReadReceipt(ctx context.Context, conversationID, upTo, agentID int64) (m *Message, ok bool, err error)
}
