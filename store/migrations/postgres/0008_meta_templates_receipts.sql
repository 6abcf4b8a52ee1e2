-- WhatsApp message templates as last synced from each channel's account.
CREATE TABLE channel_templates (
	channel_id BIGINT  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
	name       TEXT    NOT NULL,
	language   TEXT    NOT NULL,
	category   TEXT    NOT NULL DEFAULT '',
	status     TEXT    NOT NULL DEFAULT '',
	body       TEXT    NOT NULL DEFAULT '',
	header     TEXT    NOT NULL DEFAULT '',
	footer     TEXT    NOT NULL DEFAULT '',
	params     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (channel_id, name, language)
);

-- A row means the channel's templates were synced (an empty list is a
-- real answer: then every template send is refused before queueing).
CREATE TABLE channel_template_syncs (
	channel_id BIGINT  PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
	synced_at  TIMESTAMPTZ NOT NULL
);

-- Receipts for platform message ids not recorded yet (the webhook beat the
-- sender's write); applied when the id is recorded, dropped when old.
CREATE TABLE pending_receipts (
	channel_id     BIGINT  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
	external_id    TEXT    NOT NULL,
	status         TEXT    NOT NULL,
	failure_code   TEXT    NOT NULL DEFAULT '',
	failure_reason TEXT    NOT NULL DEFAULT '',
	received_at    TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (channel_id, external_id, status)
);
CREATE INDEX pending_receipts_received ON pending_receipts (received_at);

-- Meta data-deletion callbacks: the confirmation code a user can check.
CREATE TABLE data_deletion_requests (
	code            TEXT    PRIMARY KEY,
	platform_user   TEXT    NOT NULL,
	status          TEXT    NOT NULL,
	contacts_erased INTEGER NOT NULL DEFAULT 0,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);
