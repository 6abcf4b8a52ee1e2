-- The latest delivery and read watermark each customer's receipts carried
-- on a channel (Messenger reads name no message, only a time). A send
-- recorded after the receipt arrived takes the status from here: the
-- receipt could not move a message whose send was not recorded yet.
-- The watermark only moves forward; rows older than pending receipts'
-- lifetime are dropped with them.
CREATE TABLE receipt_watermarks (
	channel_id  INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
	contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	status      TEXT    NOT NULL,
	watermark   INTEGER NOT NULL,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (channel_id, contact_id, status)
);
CREATE INDEX receipt_watermarks_received ON receipt_watermarks (received_at);
