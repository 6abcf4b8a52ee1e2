-- Parley schema for PostgreSQL. JSON values are TEXT (the store reads and
-- writes them whole); search terms are tsvectors built in Go.

CREATE TABLE agents (
	id            BIGSERIAL PRIMARY KEY,
	email         TEXT      NOT NULL UNIQUE,
	name          TEXT      NOT NULL,
	role          TEXT      NOT NULL,
	active        BOOLEAN   NOT NULL DEFAULT TRUE,
	language      TEXT      NOT NULL DEFAULT '',
	presence      TEXT      NOT NULL DEFAULT 'offline',
	capacity      INTEGER   NOT NULL DEFAULT 0,
	password_hash TEXT      NOT NULL DEFAULT '',
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE teams (
	id         BIGSERIAL PRIMARY KEY,
	name       TEXT        NOT NULL UNIQUE,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE team_members (
	team_id  BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	agent_id BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_members_agent ON team_members (agent_id);

CREATE TABLE sessions (
	token_hash BYTEA       PRIMARY KEY,
	agent_id   BIGINT      NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	expires_at TIMESTAMPTZ NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
	id           BIGSERIAL   PRIMARY KEY,
	agent_id     BIGINT      NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	name         TEXT        NOT NULL,
	prefix       TEXT        NOT NULL,
	token_hash   BYTEA       NOT NULL UNIQUE,
	created_at   TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_agent ON api_tokens (agent_id);

CREATE TABLE channels (
	id            BIGSERIAL   PRIMARY KEY,
	platform      TEXT        NOT NULL,
	name          TEXT        NOT NULL,
	status        TEXT        NOT NULL,
	status_reason TEXT        NOT NULL DEFAULT '',
	config        TEXT        NOT NULL DEFAULT '{}',
	secrets       BYTEA,
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE contacts (
	id         BIGSERIAL   PRIMARY KEY,
	name       TEXT        NOT NULL DEFAULT '',
	email      TEXT        NOT NULL DEFAULT '',
	phone      TEXT        NOT NULL DEFAULT '',
	company    TEXT        NOT NULL DEFAULT '',
	tier       TEXT        NOT NULL DEFAULT '',
	language   TEXT        NOT NULL DEFAULT '',
	avatar_url TEXT        NOT NULL DEFAULT '',
	attributes TEXT        NOT NULL DEFAULT '{}',
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX contacts_tier ON contacts (tier) WHERE tier <> '';

-- value first: ingest looks identities up by value in bulk.
CREATE TABLE identities (
	id               BIGSERIAL   PRIMARY KEY,
	contact_id       BIGINT      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	kind             TEXT        NOT NULL,
	scope_channel_id BIGINT      NOT NULL DEFAULT 0,
	value            TEXT        NOT NULL,
	verified         BOOLEAN     NOT NULL DEFAULT FALSE,
	created_at       TIMESTAMPTZ NOT NULL,
	UNIQUE (value, kind, scope_channel_id)
);
CREATE INDEX identities_contact ON identities (contact_id);

CREATE SEQUENCE conversation_number_seq;

CREATE TABLE conversations (
	id              BIGSERIAL   PRIMARY KEY,
	number          BIGINT      NOT NULL UNIQUE DEFAULT nextval('conversation_number_seq'),
	channel_id      BIGINT      NOT NULL REFERENCES channels (id),
	platform        TEXT        NOT NULL,
	contact_id      BIGINT      NOT NULL REFERENCES contacts (id),
	thread_key      TEXT        NOT NULL DEFAULT '',
	subject         TEXT        NOT NULL DEFAULT '',
	status          TEXT        NOT NULL,
	priority        INTEGER     NOT NULL DEFAULT 1,
	assignee_id     BIGINT      REFERENCES agents (id) ON DELETE SET NULL,
	team_id         BIGINT      REFERENCES teams (id) ON DELETE SET NULL,
	language        TEXT        NOT NULL DEFAULT '',
	attributes      TEXT        NOT NULL DEFAULT '{}',
	snoozed_until   TIMESTAMPTZ,
	last_message_at TIMESTAMPTZ NOT NULL,
	last_inbound_at TIMESTAMPTZ,
	waiting_since   TIMESTAMPTZ,
	last_preview    TEXT        NOT NULL DEFAULT '',
	unread_count    INTEGER     NOT NULL DEFAULT 0,
	version         BIGINT      NOT NULL DEFAULT 1,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL,
	resolved_at     TIMESTAMPTZ
);
-- At most one active ticket per thread: makes "find or open" race-safe.
CREATE UNIQUE INDEX conversations_active_thread ON conversations (channel_id, contact_id, thread_key) WHERE status <> 'closed';
CREATE INDEX conversations_last_message ON conversations (last_message_at, id);
CREATE INDEX conversations_status ON conversations (status, last_message_at);
CREATE INDEX conversations_assignee ON conversations (assignee_id, status);
CREATE INDEX conversations_team ON conversations (team_id, status);
CREATE INDEX conversations_contact ON conversations (contact_id);
CREATE INDEX conversations_snoozed ON conversations (snoozed_until) WHERE status = 'snoozed';

CREATE TABLE tags (
	name       TEXT        PRIMARY KEY,
	color      TEXT        NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE conversation_tags (
	conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	tag             TEXT   NOT NULL,
	PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tag, conversation_id);

CREATE TABLE messages (
	id              BIGSERIAL   PRIMARY KEY,
	conversation_id BIGINT      NOT NULL REFERENCES conversations (id),
	channel_id      BIGINT      NOT NULL,
	platform        TEXT        NOT NULL,
	direction       TEXT        NOT NULL,
	kind            TEXT        NOT NULL,
	body            TEXT        NOT NULL DEFAULT '',
	attachments     TEXT        NOT NULL DEFAULT '',
	author_agent_id BIGINT,
	contact_id      BIGINT,
	external_id     TEXT        NOT NULL DEFAULT '',
	reply_to        TEXT        NOT NULL DEFAULT '',
	status          TEXT        NOT NULL,
	failure_code    TEXT        NOT NULL DEFAULT '',
	failure_reason  TEXT        NOT NULL DEFAULT '',
	attempts        INTEGER     NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMPTZ,
	metadata        TEXT        NOT NULL DEFAULT '',
	sent_at         TIMESTAMPTZ,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);
-- Redelivery of a platform message is a no-op.
CREATE UNIQUE INDEX messages_external ON messages (channel_id, external_id) WHERE external_id <> '';
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_outbox ON messages (status, next_attempt_at) WHERE status IN ('queued', 'sending');

-- Search: terms are tokenised in Go (see store/search_terms.go) so both
-- engines match the same way; rowid is the id of the searched row.
CREATE TABLE message_search (rowid BIGINT PRIMARY KEY, terms TSVECTOR NOT NULL);
CREATE INDEX message_search_terms ON message_search USING gin (terms);
CREATE TABLE contact_search (rowid BIGINT PRIMARY KEY, terms TSVECTOR NOT NULL);
CREATE INDEX contact_search_terms ON contact_search USING gin (terms);
CREATE TABLE conversation_search (rowid BIGINT PRIMARY KEY, terms TSVECTOR NOT NULL);
CREATE INDEX conversation_search_terms ON conversation_search USING gin (terms);
