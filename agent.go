package parley

import (
	"context"
	"time"
)

// Role decides what an agent may do.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin      Role = "admin"      // everything, including channels and agents
	RoleSupervisor Role = "supervisor" // all tickets, teams, reports
	RoleAgent      Role = "agent"      // tickets of their teams and their own
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleSupervisor || r == RoleAgent }

// AtLeast reports whether r is as powerful as min.
func (r Role) AtLeast(min Role) bool { return roleRank(r) >= roleRank(min) }

func roleRank(r Role) int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleSupervisor:
		return 2
	case RoleAgent:
		return 1
	}
	return 0
}

// Presence is an agent's availability.
type Presence string

// Presence states.
const (
	PresenceOnline  Presence = "online"
	PresenceAway    Presence = "away"
	PresenceOffline Presence = "offline"
)

// Agent is a person answering customers.
type Agent struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Active       bool      `json:"active"`
	Language     string    `json:"language"` // UI language: en, zh-CN
	Presence     Presence  `json:"presence"`
	Capacity     int       `json:"capacity"` // max concurrent open tickets, 0 = unlimited
	TeamIDs      []int64   `json:"team_ids"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// AgentUpdate changes an agent; nil fields are left alone.
type AgentUpdate struct {
	Name         *string   `json:"name,omitempty"`
	Role         *Role     `json:"role,omitempty"`
	Active       *bool     `json:"active,omitempty"`
	Language     *string   `json:"language,omitempty"`
	Presence     *Presence `json:"presence,omitempty"`
	Capacity     *int      `json:"capacity,omitempty"`
	PasswordHash *string   `json:"-"`
}

// Team groups agents by skill or language.
type Team struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	AgentIDs  []int64   `json:"agent_ids"`
	CreatedAt time.Time `json:"created_at"`
}

// Tag is a label on tickets. Tags named "channel:…" are automatic.
type Tag struct {
	Name  string `json:"name"`
	Color string `json:"color,omitempty"`
	Count int    `json:"count"`
}

// Session is a signed-in browser. Only the token's hash is stored.
type Session struct {
	TokenHash []byte
	AgentID   int64
	ExpiresAt time.Time
	CreatedAt time.Time
}

// APIToken lets a program call the API as an agent. Only a fast hash of the
// token is stored: tokens are long random strings, so a slow password hash
// would only cost time.
type APIToken struct {
	ID         int64      `json:"id"`
	AgentID    int64      `json:"agent_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // first characters, to recognise it in lists
	TokenHash  []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// AgentService stores agents, teams, tags and credentials.
type AgentService interface {
	FindAgentByID(ctx context.Context, id int64) (*Agent, error)
	FindAgentByEmail(ctx context.Context, email string) (*Agent, error)
	FindAgents(ctx context.Context) ([]*Agent, error)
	CreateAgent(ctx context.Context, a *Agent) error
	UpdateAgent(ctx context.Context, id int64, upd AgentUpdate) (*Agent, error)
	CountAgents(ctx context.Context) (int, error)

	FindTeams(ctx context.Context) ([]*Team, error)
	FindTeamByID(ctx context.Context, id int64) (*Team, error)
	CreateTeam(ctx context.Context, t *Team) error
	UpdateTeam(ctx context.Context, id int64, name *string, agentIDs []int64) (*Team, error)
	DeleteTeam(ctx context.Context, id int64) error

	FindTags(ctx context.Context) ([]*Tag, error)
	UpsertTag(ctx context.Context, t *Tag) error
	DeleteTag(ctx context.Context, name string) error

	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, tokenHash []byte) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error

	CreateAPIToken(ctx context.Context, t *APIToken) error
	FindAPITokenByHash(ctx context.Context, tokenHash []byte) (*APIToken, error)
	FindAPITokens(ctx context.Context, agentID int64) ([]*APIToken, error)
	DeleteAPIToken(ctx context.Context, agentID, id int64) error
}
