package store

import (
	"context"
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
		sq := searchQuery{match: s.d.searchQuery(terms), probe: s.d.searchNeedsProbe(terms), terms: terms}
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
	probe bool
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
	scope, err := t.probeSearch(ctx, "message_search", sq.match, sq.probe)
	if err != nil {
		return nil, err
	}
	var args argList
	cond, ok := scope.condition(t, sq.match, &args)
	if !ok {
		return []parley.SearchHit{}, nil
	}
	q := `SELECT m.id, m.conversation_id, m.body, c.number, c.contact_id, co.name
		FROM message_search s JOIN messages m ON m.id = s.rowid
		JOIN conversations c ON c.id = m.conversation_id JOIN contacts co ON co.id = c.contact_id
		WHERE ` + cond + ` AND ` + visibleTo(agent, &args) +
		` ORDER BY s.rowid DESC LIMIT ` + args.add(limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.s.wrap(err, "searching messages")
	}
	defer rows.Close()
	hits := []parley.SearchHit{}
	for rows.Next() {
		var h parley.SearchHit
		var body, name string
		if err := rows.Scan(&h.MessageID, &h.ConversationID, &body, &h.Number, &h.ContactID, &name); err != nil {
			return nil, t.s.wrap(err, "scanning message hit")
		}
		h.Title = fmt.Sprintf("#%d %s", h.Number, name)
		h.Snippet = highlight(body, sq.terms)
		hits = append(hits, h)
	}
	return hits, t.s.wrap(rows.Err(), "searching messages")
}

func (t *tx) searchConversations(ctx context.Context, agent *parley.Agent, sq searchQuery, limit int) ([]parley.SearchHit, error) {
	scope, err := t.probeSearch(ctx, "conversation_search", sq.match, sq.probe)
	if err != nil {
		return nil, err
	}
	var args argList
	cond, ok := scope.condition(t, sq.match, &args)
	if !ok {
		return []parley.SearchHit{}, nil
	}
	q := `SELECT c.id, c.number, c.subject, c.contact_id, co.name
		FROM conversation_search s JOIN conversations c ON c.id = s.rowid JOIN contacts co ON co.id = c.contact_id
		WHERE ` + cond + ` AND ` + visibleTo(agent, &args) +
		` ORDER BY s.rowid DESC LIMIT ` + args.add(limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.s.wrap(err, "searching conversations")
	}
	defer rows.Close()
	hits := []parley.SearchHit{}
	for rows.Next() {
		var h parley.SearchHit
		var subject, name string
		if err := rows.Scan(&h.ConversationID, &h.Number, &subject, &h.ContactID, &name); err != nil {
			return nil, t.s.wrap(err, "scanning conversation hit")
		}
		h.Title = strings.TrimSpace(fmt.Sprintf("#%d %s", h.Number, subject))
		h.Snippet = highlight(strings.TrimSpace(fmt.Sprintf("#%d %s · %s", h.Number, subject, name)), sq.terms)
		hits = append(hits, h)
	}
	return hits, t.s.wrap(rows.Err(), "searching conversations")
}

func (t *tx) searchContacts(ctx context.Context, sq searchQuery, limit int) ([]parley.SearchHit, error) {
	scope, err := t.probeSearch(ctx, "contact_search", sq.match, sq.probe)
	if err != nil {
		return nil, err
	}
	var args argList
	cond, ok := scope.condition(t, sq.match, &args)
	if !ok {
		return []parley.SearchHit{}, nil
	}
	q := `SELECT co.id, co.name, co.email, co.phone, co.company FROM contact_search s JOIN contacts co ON co.id = s.rowid
		WHERE ` + cond + ` ORDER BY s.rowid DESC LIMIT ` + args.add(limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.s.wrap(err, "searching contacts")
	}
	defer rows.Close()
	hits := []parley.SearchHit{}
	for rows.Next() {
		var h parley.SearchHit
		var name, email, phone, company string
		if err := rows.Scan(&h.ContactID, &name, &email, &phone, &company); err != nil {
			return nil, t.s.wrap(err, "scanning contact hit")
		}
		h.Title = name
		var parts []string
		for _, p := range []string{name, email, phone, company} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		h.Snippet = highlight(strings.Join(parts, " · "), sq.terms)
		hits = append(hits, h)
	}
	return hits, t.s.wrap(rows.Err(), "searching contacts")
}
