-- GIN indexes buffer new entries in a pending list that every search must
-- read in full; with the default 4 MB limit a busy inbound stream keeps it
-- full, and a search that takes 0.1 ms on a clean index took 14 ms. A small
-- list keeps searches fast and still batches index work for ingest.
ALTER INDEX message_search_terms SET (gin_pending_list_limit = 256);
ALTER INDEX contact_search_terms SET (gin_pending_list_limit = 256);
ALTER INDEX conversation_search_terms SET (gin_pending_list_limit = 256);
