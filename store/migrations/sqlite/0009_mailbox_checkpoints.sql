-- How far each e-mail channel's IMAP poller got in each mailbox, so a
-- restarted node neither fetches handled mail again nor skips new mail.
-- uid_validity names the mailbox incarnation the last_uid belongs to.
CREATE TABLE mailbox_checkpoints (
    channel_id   INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    mailbox      TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (channel_id, mailbox)
);
