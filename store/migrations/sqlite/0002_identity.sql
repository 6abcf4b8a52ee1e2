-- Identity capability: unverified identifiers (claims), merge log,
-- consent, ticket links, privacy requests, settings and the lookup cache.

-- Identifiers a contact gave without the platform vouching for them: they
-- never link contacts, they only make suggestions.
CREATE TABLE identity_claims (
	id         INTEGER PRIMARY KEY,
	contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	kind       TEXT    NOT NULL,
	value      TEXT    NOT NULL,
	channel_id INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	UNIQUE (contact_id, kind, value)
);
CREATE INDEX identity_claims_value ON identity_claims (value, kind);

-- Suggestions look contacts up by their e-mail, phone, name + company.
CREATE INDEX contacts_email ON contacts (email) WHERE email <> '';
CREATE INDEX contacts_phone ON contacts (phone) WHERE phone <> '';
CREATE INDEX contacts_name_company ON contacts (lower(name), lower(company)) WHERE company <> '';

-- Every merge with a full snapshot of what it changed, so undo restores it.
CREATE TABLE contact_merges (
	id          INTEGER PRIMARY KEY,
	survivor_id INTEGER NOT NULL,
	source_id   INTEGER NOT NULL,
	agent_id    INTEGER,
	snapshot    TEXT    NOT NULL,
	result      TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	undone_at   INTEGER
);
CREATE INDEX contact_merges_survivor ON contact_merges (survivor_id);
CREATE INDEX contact_merges_source ON contact_merges (source_id);

CREATE TABLE contact_consents (
	contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	platform   TEXT    NOT NULL,
	purpose    TEXT    NOT NULL,
	granted    INTEGER NOT NULL,
	source     TEXT    NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (contact_id, platform, purpose)
);

CREATE TABLE conversation_links (
	conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	linked_id       INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	reason          TEXT    NOT NULL,
	created_at      INTEGER NOT NULL,
	PRIMARY KEY (conversation_id, linked_id)
);
CREATE INDEX conversation_links_linked ON conversation_links (linked_id);

-- Data-subject requests, kept without personal data as the audit trail.
CREATE TABLE privacy_requests (
	id         INTEGER PRIMARY KEY,
	kind       TEXT    NOT NULL,
	contact_id INTEGER NOT NULL,
	agent_id   INTEGER,
	summary    TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);

CREATE TABLE identity_settings (
	name       TEXT    PRIMARY KEY,
	value      TEXT    NOT NULL,
	sealed     BLOB,
	updated_at INTEGER NOT NULL
);

CREATE TABLE contact_lookup_cache (
	contact_id INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
	body       TEXT    NOT NULL,
	fetched_at INTEGER NOT NULL
);
