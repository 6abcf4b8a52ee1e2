-- Most new tickets have no assignee or team yet: partial indexes skip
-- them, so the update every inbound message makes to its ticket maintains
-- two index entries fewer.
DROP INDEX conversations_assignee;
DROP INDEX conversations_team;
CREATE INDEX conversations_assignee ON conversations (assignee_id, status) WHERE assignee_id IS NOT NULL;
CREATE INDEX conversations_team ON conversations (team_id, status) WHERE team_id IS NOT NULL;
