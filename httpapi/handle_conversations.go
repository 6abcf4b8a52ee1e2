package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

type mergeRequest struct {
	SourceID int64 `json:"source_id"`
}

var conversationListParams = []string{"view", "status", "channel_id", "platform", "priority", "tag",
	"assignee_id", "team_id", "contact_id", "sort", "cursor", "limit"}

func (s *Server) handleListConversations(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	f, err := conversationFilter(parseQuery(r, conversationListParams...), me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.listConversations(w, r, f)
}

// conversationFilter validates the listing's query parameters.
func conversationFilter(q *queryParser, me *parley.Agent) (parley.ConversationFilter, error) {
	f := parley.ConversationFilter{AgentID: me.ID, View: parley.ViewAll, Sort: parley.SortNewest}
	if v, ok := q.single("view"); ok {
		f.View = parley.ConversationView(v)
		switch f.View {
		case parley.ViewAll, parley.ViewMine, parley.ViewUnassigned, parley.ViewMyTeams:
		default:
			q.fail("view %q is not one of mine, unassigned, teams, all", v)
		}
	}
	if v, ok := q.single("sort"); ok {
		f.Sort = parley.ConversationSort(v)
		switch f.Sort {
		case parley.SortNewest, parley.SortOldestWaiting, parley.SortPriority:
		default:
			q.fail("sort %q is not one of newest, oldest_waiting, priority", v)
		}
	}
	if v, ok := q.single("platform"); ok {
		p := parley.Platform(v)
		if !p.Valid() {
			q.fail("platform %q is unknown", v)
		}
		f.Platform = &p
	}
	if v, ok := q.single("priority"); ok {
		n, err := strconv.Atoi(v)
		p := parley.Priority(n)
		if err != nil || !p.Valid() {
			q.fail("priority must be 0 (low) to 3 (urgent), got %q", v)
		}
		f.Priority = &p
	}
	f.Statuses = q.statuses("status")
	f.Tag = q.string("tag")
	f.ChannelID, f.ContactID = q.id("channel_id"), q.id("contact_id")
	f.AssigneeID, f.TeamID = q.id("assignee_id"), q.id("team_id")
	f.Page = q.page()
	return f, q.err
}

// maxVisibilityFetches bounds the store queries one listing may make while
// skipping tickets the agent may not see.
const maxVisibilityFetches = 8

// listConversations answers a page of tickets the agent may see. The store
// does not know visibility, so tickets the agent may not see are skipped and
// the page is topped up: each further query asks for exactly the number
// still missing, so every item of every query is consumed and the store's
// cursor stays exact. After maxVisibilityFetches a page may come back short;
// next_cursor still says whether more follow.
func (s *Server) listConversations(w http.ResponseWriter, r *http.Request, f parley.ConversationFilter) {
	me := agentFrom(r.Context())
	visible := []*parley.Conversation{}
	want := f.Limit
	next := ""
	for range maxVisibilityFetches {
		f.Limit = want - len(visible)
		convs, cursor, err := s.store.FindConversations(r.Context(), f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, c := range convs {
			if me.CanSee(c) {
				visible = append(visible, c)
			}
		}
		next = cursor
		if next == "" || len(visible) >= want {
			break
		}
		f.Cursor = next
	}
	if err := s.attachContacts(r.Context(), visible...); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.fillUnread(r.Context(), me, visible...); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(visible, next))
}

// attachContacts fills Contact where the store left it empty.
func (s *Server) attachContacts(ctx context.Context, convs ...*parley.Conversation) error {
	seen := map[int64]*parley.Contact{}
	unmasked := s.unmasked(ctx) // the field policy decides who sees e-mail and phone
	for _, c := range convs {
		if c != nil && c.Contact != nil && !unmasked {
			c.Contact = identity.MaskContact(c.Contact)
		}
		if c == nil || c.Contact != nil {
			continue
		}
		if ct, ok := seen[c.ContactID]; ok {
			c.Contact = ct
			continue
		}
		ct, err := s.store.FindContactByID(ctx, c.ContactID)
		if err != nil {
			return err
		}
		if !unmasked {
			ct = identity.MaskContact(ct)
		}
		seen[c.ContactID], c.Contact = ct, ct
	}
	return nil
}

// visibleConversation loads a ticket the agent may see; one they may not
// see is "not found", so its existence does not leak.
func (s *Server) visibleConversation(ctx context.Context, me *parley.Agent, id int64) (*parley.Conversation, error) {
	c, err := s.store.FindConversationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !me.CanSee(c) {
		return nil, parley.Errorf(parley.ENOTFOUND, "conversation %d not found", id)
	}
	return c, nil
}

// conversationFromPath loads the visible ticket named by the {id} path value.
func (s *Server) conversationFromPath(r *http.Request) (*parley.Conversation, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.visibleConversation(r.Context(), agentFrom(r.Context()), id)
}

func (s *Server) handleCountConversations(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(r, "status")
	statuses := q.statuses("status")
	if q.err != nil {
		s.writeError(w, r, q.err)
		return
	}
	if len(statuses) == 0 {
		statuses = []parley.Status{parley.StatusOpen, parley.StatusPending}
	}
	counts, err := s.store.CountConversations(r.Context(), agentFrom(r.Context()).ID, statuses)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, counts)
}

func (s *Server) handleGetConversation(w http.ResponseWriter, r *http.Request) {
	c, err := s.conversationFromPath(r)
	if err == nil {
		err = s.attachContacts(r.Context(), c)
	}
	if err == nil {
		err = s.fillUnread(r.Context(), agentFrom(r.Context()), c)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) handlePatchConversation(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	before, err := s.conversationFromPath(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var upd parley.ConversationUpdate
	if err := decodeJSON(w, r, &upd); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.validateConversationUpdate(r.Context(), upd); err != nil {
		s.writeError(w, r, err)
		return
	}
	upd.ActorAgentID = &me.ID
	after, err := s.store.UpdateConversation(r.Context(), before.ID, upd)
	if err == nil {
		err = s.attachContacts(r.Context(), after)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.publishConversationChange(r, before, after)
	writeJSON(w, http.StatusOK, after)
}

// validateConversationUpdate refuses what the store would refuse less
// clearly: a missing version, unknown values, people and teams that do not
// exist, and hand-made channel tags.
func (s *Server) validateConversationUpdate(ctx context.Context, upd parley.ConversationUpdate) error {
	if upd.Version <= 0 {
		return parley.Errorf(parley.EINVALID, "version is required: send the version you read")
	}
	if upd.Status != nil && !upd.Status.Valid() {
		return parley.Errorf(parley.EINVALID, "status %q is not one of open, pending, snoozed, resolved, closed", *upd.Status)
	}
	if upd.Priority != nil && !upd.Priority.Valid() {
		return parley.Errorf(parley.EINVALID, "priority must be 0 (low) to 3 (urgent)")
	}
	if upd.Status != nil && *upd.Status == parley.StatusSnoozed && upd.SnoozedUntil == nil {
		return parley.Errorf(parley.EINVALID, "snoozed_until is required to snooze")
	}
	if upd.AssigneeID != nil && upd.ClearAssignee || upd.TeamID != nil && upd.ClearTeam {
		return parley.Errorf(parley.EINVALID, "set or clear a field, not both")
	}
	if err := validateTagNames(upd.AddTags); err != nil {
		return err
	}
	if err := validateTagNames(upd.RemoveTags); err != nil {
		return err
	}
	return s.checkReferences(ctx, upd.AssigneeID, upd.TeamID)
}

// checkReferences turns a dangling assignee or team into a clear 400.
func (s *Server) checkReferences(ctx context.Context, assigneeID, teamID *int64) error {
	if assigneeID != nil {
		a, err := s.store.FindAgentByID(ctx, *assigneeID)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return parley.Errorf(parley.EINVALID, "assignee %d does not exist", *assigneeID)
		} else if err != nil {
			return err
		} else if !a.Active {
			return parley.Errorf(parley.EINVALID, "assignee %d is deactivated", *assigneeID)
		}
	}
	if teamID != nil {
		if _, err := s.store.FindTeamByID(ctx, *teamID); parley.ErrorCode(err) == parley.ENOTFOUND {
			return parley.Errorf(parley.EINVALID, "team %d does not exist", *teamID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

func validateTagNames(names []string) error {
	for _, n := range names {
		if err := validateTagName(n); err != nil {
			return err
		}
	}
	return nil
}

func validateTagName(n string) error {
	switch {
	case strings.TrimSpace(n) == "":
		return parley.Errorf(parley.EINVALID, "tag names must not be empty")
	case len(n) > 100:
		return parley.Errorf(parley.EINVALID, "tag %q is longer than 100 bytes", n)
	case strings.HasPrefix(n, "channel:"):
		return parley.Errorf(parley.EINVALID, "tag %q: channel tags are set automatically", n)
	}
	return nil
}

func (s *Server) handleMergeConversation(w http.ResponseWriter, r *http.Request) {
	me := agentFrom(r.Context())
	target, err := s.conversationFromPath(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req mergeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.SourceID <= 0 || req.SourceID == target.ID {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "source_id must name another conversation"))
		return
	}
	source, err := s.visibleConversation(r.Context(), me, req.SourceID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	merged, err := s.store.MergeConversations(r.Context(), target.ID, source.ID, &me.ID)
	if err == nil {
		err = s.attachContacts(r.Context(), merged)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.publishConversationChange(r, target, merged)
	if closed, err := s.store.FindConversationByID(r.Context(), source.ID); err == nil {
		s.publishConversationChange(r, source, closed)
	}
	writeJSON(w, http.StatusOK, merged)
}
