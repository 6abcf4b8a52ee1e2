-- The inbox's "oldest waiting" and "priority" orders sort on an expression
-- that puts tickets nobody waits on last (engines disagree on where NULLs
-- go). Indexed on exactly that expression, a page is read in order from the
-- index instead of sorting every matching ticket (405 ms → 0.1 ms for the
-- first page with 100,000 tickets on SQLite).
CREATE INDEX conversations_waiting ON conversations ((CASE WHEN waiting_since IS NULL THEN 1 ELSE 0 END), waiting_since, id);
CREATE INDEX conversations_priority ON conversations (priority DESC, (CASE WHEN waiting_since IS NULL THEN 1 ELSE 0 END), waiting_since, id);
