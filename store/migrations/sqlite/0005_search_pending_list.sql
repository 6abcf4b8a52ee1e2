-- PostgreSQL's 0005 tunes its GIN indexes; FTS5 merges its own segments.
-- The file exists so both engines keep the same migration names.
SELECT 1;
