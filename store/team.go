package store

import (
	"context"

	"github.com/parleyhq/parley"
)

// FindTeams lists every team with its members.
func (s *Store) FindTeams(ctx context.Context) ([]*parley.Team, error) {
	var teams []*parley.Team
	err := s.read(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT id, name, created_at FROM teams ORDER BY name, id`)
		if err != nil {
			return s.wrap(err, "listing teams")
		}
		defer rows.Close()
		byID := map[int64]*parley.Team{}
		for rows.Next() {
			tm := &parley.Team{AgentIDs: []int64{}}
			if err := rows.Scan(&tm.ID, &tm.Name, timeCol{&tm.CreatedAt}); err != nil {
				return s.wrap(err, "scanning team")
			}
			teams = append(teams, tm)
			byID[tm.ID] = tm
		}
		if err := rows.Err(); err != nil {
			return s.wrap(err, "listing teams")
		}
		members, err := t.query(ctx, `SELECT team_id, agent_id FROM team_members ORDER BY agent_id`)
		if err != nil {
			return s.wrap(err, "listing team members")
		}
		defer members.Close()
		for members.Next() {
			var teamID, agentID int64
			if err := members.Scan(&teamID, &agentID); err != nil {
				return s.wrap(err, "scanning team member")
			}
			if tm := byID[teamID]; tm != nil {
				tm.AgentIDs = append(tm.AgentIDs, agentID)
			}
		}
		return members.Err()
	})
	return teams, err
}

// FindTeamByID returns one team with its members.
func (s *Store) FindTeamByID(ctx context.Context, id int64) (*parley.Team, error) {
	var tm *parley.Team
	err := s.read(ctx, func(t *tx) (err error) {
		tm, err = t.findTeam(ctx, id)
		return err
	})
	return tm, err
}

func (t *tx) findTeam(ctx context.Context, id int64) (*parley.Team, error) {
	tm := &parley.Team{}
	err := t.queryRow(ctx, `SELECT id, name, created_at FROM teams WHERE id = $1`, id).Scan(&tm.ID, &tm.Name, timeCol{&tm.CreatedAt})
	if err != nil {
		return nil, t.s.notFound(err, "team", id)
	}
	if tm.AgentIDs, err = t.int64s(ctx, `SELECT agent_id FROM team_members WHERE team_id = $1 ORDER BY agent_id`, id); err != nil {
		return nil, t.s.wrap(err, "loading members of team %d", id)
	}
	if tm.AgentIDs == nil {
		tm.AgentIDs = []int64{}
	}
	return tm, nil
}

// CreateTeam stores a team and its members; a taken name is ECONFLICT.
func (s *Store) CreateTeam(ctx context.Context, tm *parley.Team) error {
	if tm.Name == "" {
		return parley.Errorf(parley.EINVALID, "team needs a name")
	}
	return s.write(ctx, func(t *tx) error {
		tm.CreatedAt = t.now
		err := t.queryRow(ctx, `INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id`, tm.Name, t.now).Scan(&tm.ID)
		if s.d.isUniqueViolation(err) {
			return parley.Errorf(parley.ECONFLICT, "team %q already exists", tm.Name)
		} else if err != nil {
			return s.wrap(err, "creating team")
		}
		if tm.AgentIDs == nil {
			tm.AgentIDs = []int64{}
		}
		return t.setTeamMembers(ctx, tm.ID, tm.AgentIDs)
	})
}

// UpdateTeam renames a team and/or replaces its members (nil agentIDs
// leaves them alone).
func (s *Store) UpdateTeam(ctx context.Context, id int64, name *string, agentIDs []int64) (*parley.Team, error) {
	var tm *parley.Team
	err := s.write(ctx, func(t *tx) error {
		if _, err := t.findTeam(ctx, id); err != nil {
			return err
		}
		if name != nil {
			_, err := t.exec(ctx, `UPDATE teams SET name = $1 WHERE id = $2`, *name, id)
			if s.d.isUniqueViolation(err) {
				return parley.Errorf(parley.ECONFLICT, "team %q already exists", *name)
			} else if err != nil {
				return s.wrap(err, "renaming team %d", id)
			}
		}
		if agentIDs != nil {
			if _, err := t.exec(ctx, `DELETE FROM team_members WHERE team_id = $1`, id); err != nil {
				return s.wrap(err, "clearing team %d", id)
			}
			if err := t.setTeamMembers(ctx, id, agentIDs); err != nil {
				return err
			}
		}
		var err error
		tm, err = t.findTeam(ctx, id)
		return err
	})
	return tm, err
}

func (t *tx) setTeamMembers(ctx context.Context, teamID int64, agentIDs []int64) error {
	for _, agentID := range agentIDs {
		if _, err := t.exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, teamID, agentID); err != nil {
			return t.s.wrap(err, "adding agent %d to team %d", agentID, teamID)
		}
	}
	return nil
}

// DeleteTeam removes a team; its tickets keep their assignee but lose the team.
func (s *Store) DeleteTeam(ctx context.Context, id int64) error {
	return s.write(ctx, func(t *tx) error {
		n, err := t.exec(ctx, `DELETE FROM teams WHERE id = $1`, id)
		if err != nil {
			return s.wrap(err, "deleting team %d", id)
		} else if n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "team %d not found", id)
		}
		return nil
	})
}
