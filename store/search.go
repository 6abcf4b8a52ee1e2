package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
)

// Search limits.
const (
	defaultSearchLimit = 20
	maxSearchLimit     = 100
)

// Search finds tickets, messages and contacts matching q.Text (words by
// prefix, Chinese and Japanese inside longer text), newest first, limited
// to the tickets the asking agent may see (see parley.Agent.CanSee).
func (s *Store) Search(ctx context.Context, q parley.SearchQuery) (*parley.SearchResults, error) {
	res := &parley.SearchResults{Conversations: []parley.SearchHit{}, Messages: []parley.SearchHit{}, Contacts: []parley.SearchHit{}}
	terms := parseQuery(q.Text)
	if len(terms) == 0 {
		return res, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	limit = min(limit, maxSearchLimit)
	err := s.read(ctx, func(t *tx) error {
		agent, err := t.findAgent(ctx, "id = $1", q.AgentID)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return parley.Errorf(parley.EFORBIDDEN, "agent %d may not search", q.AgentID)
		} else if err != nil {
			return err
		}
		sq := searchQuery{match: s.d.searchQuery(terms), terms: terms}
		if res.Messages, err = t.searchMessages(ctx, agent, sq, limit); err != nil {
			return err
		}
		if res.Conversations, err = t.searchConversations(ctx, agent, sq, limit); err != nil {
			return err
		}
		res.Contacts, err = t.searchContacts(ctx, sq, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// searchQuery is a parsed query in the engine's syntax.
type searchQuery struct {
	match string
	terms []queryTerm
}

// visibleTo is the SQL form of parley.Agent.CanSee on tickets aliased c.
func visibleTo(agent *parley.Agent, args *argList) string {
	if agent.Role.AtLeast(parley.RoleSupervisor) {
		return "1 = 1"
	}
	id := args.add(agent.ID)
	return "(c.assignee_id = " + id + " OR c.team_id IS NULL OR c.team_id IN (SELECT team_id FROM team_members WHERE agent_id = " + id + "))"
}

func (t *tx) searchMessages(ctx context.Context, agent *parley.Agent, sq searchQuery, limit int) ([]parley.SearchHit, error) {
	build := func(cond string, args *argList, limit int) string {
		return `SELECT m.id, m.conversation_id, m.body, c.number, c.contact_id, co.name
			FROM message_search s JOIN messages m ON m.id = s.rowid
			JOIN conversations c ON c.id = m.conversation_id JOIN contacts co ON co.id = c.contact_id
			WHERE ` + cond + ` AND ` + visibleTo(agent, args) + ` ORDER BY s.rowid DESC LIMIT ` + args.add(limit)
	}
	hits, err := runSearch(ctx, t, "message_search", sq, limit, build, func(rows *sql.Rows) (parley.SearchHit, error) {
		var h parley.SearchHit
		var body, name string
		err := rows.Scan(&h.MessageID, &h.ConversationID, &body, &h.Number, &h.ContactID, &name)
		h.Title = fmt.Sprintf("#%d %s", h.Number, name)
		h.Snippet = highlight(body, sq.terms)
		return h, err
	})
	return nonNil(hits), err
}

func (t *tx) searchConversations(ctx context.Context, agent *parley.Agent, sq searchQuery, limit int) ([]parley.SearchHit, error) {
	build := func(cond string, args *argList, limit int) string {
		return `SELECT c.id, c.number, c.subject, c.contact_id, co.name
			FROM conversation_search s JOIN conversations c ON c.id = s.rowid JOIN contacts co ON co.id = c.contact_id
			WHERE ` + cond + ` AND ` + visibleTo(agent, args) + ` ORDER BY s.rowid DESC LIMIT ` + args.add(limit)
	}
	hits, err := runSearch(ctx, t, "conversation_search", sq, limit, build, func(rows *sql.Rows) (parley.SearchHit, error) {
		var h parley.SearchHit
		var subject, name string
		err := rows.Scan(&h.ConversationID, &h.Number, &subject, &h.ContactID, &name)
		h.Title = strings.TrimSpace(fmt.Sprintf("#%d %s", h.Number, subject))
		h.Snippet = highlight(strings.TrimSpace(fmt.Sprintf("#%d %s · %s", h.Number, subject, name)), sq.terms)
		return h, err
	})
	return nonNil(hits), err
}

func (t *tx) searchContacts(ctx context.Context, sq searchQuery, limit int) ([]parley.SearchHit, error) {
	build := func(cond string, args *argList, limit int) string {
		return `SELECT co.id, co.name, co.email, co.phone, co.company FROM contact_search s JOIN contacts co ON co.id = s.rowid
			WHERE ` + cond + ` ORDER BY s.rowid DESC LIMIT ` + args.add(limit)
	}
	hits, err := runSearch(ctx, t, "contact_search", sq, limit, build, func(rows *sql.Rows) (parley.SearchHit, error) {
		var h parley.SearchHit
		var name, email, phone, company string
		err := rows.Scan(&h.ContactID, &name, &email, &phone, &company)
		h.Title = name
		var parts []string
		for _, p := range []string{name, email, phone, company} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		h.Snippet = highlight(strings.Join(parts, " · "), sq.terms)
		return h, err
	})
	return nonNil(hits), err
}

// nonNil makes an empty hit list encode as [] rather than null.
func nonNil(hits []parley.SearchHit) []parley.SearchHit {
	if hits == nil {
		return []parley.SearchHit{}
	}
	return hits
}
