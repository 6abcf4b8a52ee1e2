package parley

import "context"

// SearchQuery searches tickets, messages and contacts. Text is matched as a
// substring on words of any script (Chinese and Japanese have no spaces).
type SearchQuery struct {
	Text    string
	AgentID int64 // the agent asking; results are limited to what they may see
	Limit   int
}

// SearchHit is one match with a highlighted snippet: the matched text is
// wrapped in <mark>…</mark> and everything else is HTML-escaped.
type SearchHit struct {
	ConversationID int64  `json:"conversation_id,omitempty"`
	MessageID      int64  `json:"message_id,omitempty"`
	ContactID      int64  `json:"contact_id,omitempty"`
	Number         int64  `json:"number,omitempty"`
	Title          string `json:"title"`
	Snippet        string `json:"snippet"`
}

// SearchResults groups hits by what they found.
type SearchResults struct {
	Conversations []SearchHit `json:"conversations"`
	Messages      []SearchHit `json:"messages"`
	Contacts      []SearchHit `json:"contacts"`
}

// SearchService finds things by text.
type SearchService interface {
	Search(ctx context.Context, q SearchQuery) (*SearchResults, error)
}

// Store is everything Parley keeps in its database, implemented once for
// SQLite and PostgreSQL.
type Store interface {
	ContactService
	ChannelService
	ConversationService
	MessageService
	AgentService
	SearchService
	IngestService
	Close() error
}
