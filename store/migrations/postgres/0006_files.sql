-- Stored files (attachment store): the bytes live in a parley.FileStore
-- under storage_key; this row says what they are and whom they belong to,
-- so downloads can be authorised and erasure finds them. An agent's upload
-- is bound to nothing but its uploader until a message carries it.
CREATE TABLE files (
	storage_key     TEXT        PRIMARY KEY,
	filename        TEXT        NOT NULL DEFAULT '',
	content_type    TEXT        NOT NULL,
	size            BIGINT      NOT NULL,
	sha256          TEXT        NOT NULL,
	agent_id        BIGINT,
	contact_id      BIGINT,
	conversation_id BIGINT,
	message_id      BIGINT,
	created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX files_contact ON files (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX files_conversation ON files (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX files_message ON files (message_id) WHERE message_id IS NOT NULL;
