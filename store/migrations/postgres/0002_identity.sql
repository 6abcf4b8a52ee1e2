-- Identity capability: unverified identifiers (claims), merge log,
-- consent, ticket links, privacy requests, settings and the lookup cache.

-- Identifiers a contact gave without the platform vouching for them: they
-- never link contacts, they only make suggestions.
CREATE TABLE identity_claims (
	id         BIGSERIAL   PRIMARY KEY,
	contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	kind       TEXT    NOT NULL,
	value      TEXT    NOT NULL,
	channel_id BIGINT NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL,
	UNIQUE (contact_id, kind, value)
);
CREATE INDEX identity_claims_value ON identity_claims (value, kind);

-- Suggestions look contacts up by their e-mail, phone, name + company.
CREATE INDEX contacts_email ON contacts (email) WHERE email <> '';
CREATE INDEX contacts_phone ON contacts (phone) WHERE phone <> '';
CREATE INDEX contacts_name_company ON contacts (lower(name), lower(company)) WHERE company <> '';

-- Every merge with a full snapshot of what it changed, so undo restores it.
CREATE TABLE contact_merges (
	id          BIGSERIAL PRIMARY KEY,
	survivor_id BIGINT NOT NULL,
	source_id   BIGINT NOT NULL,
	agent_id    BIGINT,
	snapshot    TEXT    NOT NULL,
	result      TEXT    NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	undone_at   TIMESTAMPTZ
);
CREATE INDEX contact_merges_survivor ON contact_merges (survivor_id);
CREATE INDEX contact_merges_source ON contact_merges (source_id);

CREATE TABLE contact_consents (
	contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	platform   TEXT    NOT NULL,
	purpose    TEXT    NOT NULL,
	granted    BOOLEAN NOT NULL,
	source     TEXT    NOT NULL DEFAULT '',
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (contact_id, platform, purpose)
);

CREATE TABLE conversation_links (
	conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	linked_id       BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	reason          TEXT    NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (conversation_id, linked_id)
);
CREATE INDEX conversation_links_linked ON conversation_links (linked_id);

-- Data-subject requests, kept without personal data as the audit trail.
CREATE TABLE privacy_requests (
	id         BIGSERIAL   PRIMARY KEY,
	kind       TEXT    NOT NULL,
	contact_id BIGINT NOT NULL,
	agent_id   BIGINT,
	summary    TEXT    NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE identity_settings (
	name       TEXT    PRIMARY KEY,
	value      TEXT    NOT NULL,
	sealed     BYTEA,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE contact_lookup_cache (
	contact_id BIGINT PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
	body       TEXT    NOT NULL,
	fetched_at TIMESTAMPTZ NOT NULL
);
