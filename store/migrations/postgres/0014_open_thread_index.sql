-- The Page's own comment finds its ticket by thread key alone (the
-- customer is what it looks up): conversations_active_thread leads with
-- contact_id after channel_id, so that lookup read every open ticket of
-- the channel. Same condition as the query, so the partial index applies.
CREATE INDEX conversations_open_thread ON conversations (channel_id, thread_key) WHERE status <> 'closed';
