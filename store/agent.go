package store

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
)

const agentColumns = `id, email, name, role, active, language, presence, capacity, password_hash, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanAgent(r rowScanner) (*parley.Agent, error) {
	a := &parley.Agent{TeamIDs: []int64{}}
	err := r.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Active, &a.Language, &a.Presence, &a.Capacity,
		&a.PasswordHash, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt})
	return a, err
}

// FindAgentByID returns an agent with their team ids.
func (s *Store) FindAgentByID(ctx context.Context, id int64) (*parley.Agent, error) {
	var a *parley.Agent
	err := s.read(ctx, func(t *tx) (err error) {
		a, err = t.findAgent(ctx, "id = $1", id)
		return err
	})
	return a, err
}

// FindAgentByEmail returns the agent with that e-mail address (any case).
func (s *Store) FindAgentByEmail(ctx context.Context, email string) (*parley.Agent, error) {
	var a *parley.Agent
	err := s.read(ctx, func(t *tx) (err error) {
		a, err = t.findAgent(ctx, "email = $1", foldEmail(email))
		return err
	})
	return a, err
}

func (t *tx) findAgent(ctx context.Context, where string, key any) (*parley.Agent, error) {
	a, err := scanAgent(t.queryRow(ctx, `SELECT `+agentColumns+` FROM agents WHERE `+where, key))
	if err != nil {
		return nil, t.s.notFound(err, "agent", key)
	}
	if a.TeamIDs, err = t.int64s(ctx, `SELECT team_id FROM team_members WHERE agent_id = $1 ORDER BY team_id`, a.ID); err != nil {
		return nil, t.s.wrap(err, "loading teams of agent %d", a.ID)
	}
	if a.TeamIDs == nil {
		a.TeamIDs = []int64{}
	}
	return a, nil
}

// FindAgents lists every agent, ordered by name.
func (s *Store) FindAgents(ctx context.Context) ([]*parley.Agent, error) {
	var agents []*parley.Agent
	err := s.read(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT `+agentColumns+` FROM agents ORDER BY name, id`)
		if err != nil {
			return s.wrap(err, "listing agents")
		}
		defer rows.Close()
		byID := map[int64]*parley.Agent{}
		for rows.Next() {
			a, err := scanAgent(rows)
			if err != nil {
				return s.wrap(err, "scanning agent")
			}
			agents = append(agents, a)
			byID[a.ID] = a
		}
		if err := rows.Err(); err != nil {
			return s.wrap(err, "listing agents")
		}
		return t.fillTeamIDs(ctx, byID)
	})
	return agents, err
}

func (t *tx) fillTeamIDs(ctx context.Context, byID map[int64]*parley.Agent) error {
	rows, err := t.query(ctx, `SELECT agent_id, team_id FROM team_members ORDER BY team_id`)
	if err != nil {
		return t.s.wrap(err, "listing team members")
	}
	defer rows.Close()
	for rows.Next() {
		var agentID, teamID int64
		if err := rows.Scan(&agentID, &teamID); err != nil {
			return t.s.wrap(err, "scanning team member")
		}
		if a := byID[agentID]; a != nil {
			a.TeamIDs = append(a.TeamIDs, teamID)
		}
	}
	return rows.Err()
}

// CreateAgent stores a new agent and sets its ID and timestamps. The
// e-mail address is case-folded; a taken address is ECONFLICT.
func (s *Store) CreateAgent(ctx context.Context, a *parley.Agent) error {
	a.Email = foldEmail(a.Email)
	if a.Email == "" || !a.Role.Valid() {
		return parley.Errorf(parley.EINVALID, "agent needs an e-mail address and a valid role")
	}
	if a.Presence == "" {
		a.Presence = parley.PresenceOffline
	}
	return s.write(ctx, func(t *tx) error {
		a.CreatedAt, a.UpdatedAt = t.now, t.now
		err := t.queryRow(ctx, `INSERT INTO agents (email, name, role, active, language, presence, capacity, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			a.Email, a.Name, a.Role, a.Active, a.Language, a.Presence, a.Capacity, a.PasswordHash, t.now, t.now).Scan(&a.ID)
		if s.d.isUniqueViolation(err) {
			return parley.Errorf(parley.ECONFLICT, "an agent with e-mail %s already exists", a.Email)
		} else if err != nil {
			return s.wrap(err, "creating agent")
		}
		if a.TeamIDs == nil {
			a.TeamIDs = []int64{}
		}
		for _, teamID := range a.TeamIDs {
			if _, err := t.exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, teamID, a.ID); err != nil {
				return s.wrap(err, "adding agent to team %d", teamID)
			}
		}
		return nil
	})
}

// UpdateAgent changes the fields set in upd.
func (s *Store) UpdateAgent(ctx context.Context, id int64, upd parley.AgentUpdate) (*parley.Agent, error) {
	if upd.Role != nil && !upd.Role.Valid() {
		return nil, parley.Errorf(parley.EINVALID, "unknown role %q", *upd.Role)
	}
	var a *parley.Agent
	err := s.write(ctx, func(t *tx) error {
		var args argList
		sets := []string{"updated_at = " + args.add(t.now)}
		set := func(col string, v any) { sets = append(sets, col+" = "+args.add(v)) }
		if upd.Name != nil {
			set("name", *upd.Name)
		}
		if upd.Role != nil {
			set("role", *upd.Role)
		}
		if upd.Active != nil {
			set("active", *upd.Active)
		}
		if upd.Language != nil {
			set("language", *upd.Language)
		}
		if upd.Presence != nil {
			set("presence", *upd.Presence)
		}
		if upd.Capacity != nil {
			set("capacity", *upd.Capacity)
		}
		if upd.PasswordHash != nil {
			set("password_hash", *upd.PasswordHash)
		}
		n, err := t.exec(ctx, `UPDATE agents SET `+strings.Join(sets, ", ")+` WHERE id = `+args.add(id), args...)
		if err != nil {
			return s.wrap(err, "updating agent %d", id)
		} else if n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "agent %d not found", id)
		}
		a, err = t.findAgent(ctx, "id = $1", id)
		return err
	})
	return a, err
}

// CountAgents returns how many agents exist (zero means setup is pending).
func (s *Store) CountAgents(ctx context.Context) (int, error) {
	var n int
	err := s.read(ctx, func(t *tx) error {
		return s.wrap(t.queryRow(ctx, `SELECT COUNT(*) FROM agents`).Scan(&n), "counting agents")
	})
	return n, err
}

func foldEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
