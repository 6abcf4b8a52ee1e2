-- Dismissed suggestions, canned replies, agents' read markers and the
-- read receipts sent to platforms.

-- A pair of contacts an agent judged to be different people: never
-- suggested again. Stored once per pair (smaller id first). No foreign
-- keys: a merged-away contact's rows stay for UndoMerge, and the merge
-- copies them to the survivor (merge_id says by which merge). A row only
-- counts when newer than both contacts, so an id SQLite hands out again
-- does not inherit it.
CREATE TABLE contact_suggestion_dismissals (
	contact_low  INTEGER NOT NULL,
	contact_high INTEGER NOT NULL,
	agent_id     INTEGER,
	merge_id     INTEGER,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (contact_low, contact_high),
	CHECK (contact_low < contact_high)
);
CREATE INDEX contact_suggestion_dismissals_high ON contact_suggestion_dismissals (contact_high);

-- Canned replies with per-platform variants (JSON object platform -> text).
CREATE TABLE canned_replies (
	id         INTEGER PRIMARY KEY,
	shortcut   TEXT    NOT NULL UNIQUE,
	title      TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	variants   TEXT    NOT NULL DEFAULT '{}',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- How far each agent has read each ticket; only ever moves forward.
CREATE TABLE conversation_reads (
	conversation_id INTEGER NOT NULL REFERENCES conversations (id),
	agent_id        INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	message_id      INTEGER NOT NULL,
	read_at         INTEGER NOT NULL,
	PRIMARY KEY (conversation_id, agent_id)
);

-- Customer messages whose read receipt was handed to the platform: the
-- row is claimed before the call, so each message is marked at most once.
CREATE TABLE message_read_receipts (
	message_id INTEGER PRIMARY KEY REFERENCES messages (id),
	agent_id   INTEGER,
	created_at INTEGER NOT NULL
);
