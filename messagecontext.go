package parley

import "context"

// ContextFetcher is implemented by adapters whose webhooks can lack what an
// inbound message is about (a comment's post text and link): it asks the
// platform for it after ingestion. It returns the metadata to add (nil when
// the message needs none); keys already set on the message are kept.
type ContextFetcher interface {
	FetchContext(ctx context.Context, m *Message) (map[string]string, error)
}

// MessageContextService adds context metadata to a stored message.
type MessageContextService interface {
	// AddMessageMetadata sets the keys of kv the message does not have yet
	// and returns the message.
	AddMessageMetadata(ctx context.Context, messageID int64, kv map[string]string) (*Message, error)
}
