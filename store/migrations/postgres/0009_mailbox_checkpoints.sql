-- How far each e-mail channel's IMAP poller got in each mailbox, so a
-- restarted node neither fetches handled mail again nor skips new mail.
-- uid_validity names the mailbox incarnation the last_uid belongs to
-- (both are unsigned 32-bit in IMAP, hence BIGINT).
CREATE TABLE mailbox_checkpoints (
    channel_id   BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    mailbox      TEXT NOT NULL,
    uid_validity BIGINT NOT NULL,
    last_uid     BIGINT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (channel_id, mailbox)
);
