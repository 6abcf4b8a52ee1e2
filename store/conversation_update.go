package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// change is one field an update changes: its SQL and its activity line.
type change struct {
	sets     []string
	activity string
	meta     map[string]string
}

// UpdateConversation applies upd if upd.Version is the stored version,
// writing one activity line per change in the same transaction. A stale
// version fails with ECONFLICT carrying the current conversation.
func (s *Store) UpdateConversation(ctx context.Context, id int64, upd parley.ConversationUpdate) (*parley.Conversation, error) {
	if err := validateUpdate(upd); err != nil {
		return nil, err
	}
	var conv *parley.Conversation
	err := s.write(ctx, func(t *tx) error {
		cur, err := t.findConversation(ctx, id)
		if err != nil {
			return err
		}
		if cur.Version != upd.Version {
			return staleVersion(cur, upd.Version)
		}
		if conv, err = t.applyUpdate(ctx, cur, upd); err != nil {
			return err
		}
		return nil
	})
	return conv, err
}

func staleVersion(cur *parley.Conversation, version int64) error {
	return &parley.Error{Code: parley.ECONFLICT, Details: cur,
		Message: fmt.Sprintf("conversation %d changed (version %d, yours %d)", cur.ID, cur.Version, version)}
}

func validateUpdate(upd parley.ConversationUpdate) error {
	switch {
	case upd.Status != nil && !upd.Status.Valid():
		return parley.Errorf(parley.EINVALID, "unknown status %q", *upd.Status)
	case upd.Priority != nil && !upd.Priority.Valid():
		return parley.Errorf(parley.EINVALID, "unknown priority %d", *upd.Priority)
	case upd.Status != nil && *upd.Status == parley.StatusSnoozed && upd.SnoozedUntil == nil:
		return parley.Errorf(parley.EINVALID, "snoozing needs a time to wake up")
	case upd.SnoozedUntil != nil && upd.Status != nil && *upd.Status != parley.StatusSnoozed:
		return parley.Errorf(parley.EINVALID, "snoozed_until needs status snoozed")
	}
	return nil
}

func (t *tx) applyUpdate(ctx context.Context, cur *parley.Conversation, upd parley.ConversationUpdate) (*parley.Conversation, error) {
	var args argList
	changes, err := t.conversationChanges(ctx, cur, upd, &args)
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return cur, nil
	}
	sets := []string{"version = version + 1", "updated_at = " + args.add(t.now)}
	for _, c := range changes {
		sets = append(sets, c.sets...)
	}
	n, err := t.exec(ctx, `UPDATE conversations SET `+strings.Join(sets, ", ")+` WHERE id = `+args.add(cur.ID)+
		` AND version = `+args.add(cur.Version), args...)
	if t.s.d.isUniqueViolation(err) {
		return nil, parley.Errorf(parley.ECONFLICT, "the thread of conversation %d already has an active ticket", cur.ID)
	} else if err != nil {
		return nil, t.s.wrap(err, "updating conversation %d", cur.ID)
	} else if n == 0 {
		latest, err := t.findConversation(ctx, cur.ID)
		if err != nil {
			return nil, err
		}
		return nil, staleVersion(latest, cur.Version)
	}
	if err := t.updateTags(ctx, cur, upd); err != nil {
		return nil, err
	}
	for _, c := range changes {
		if err := t.addActivity(ctx, cur, upd.ActorAgentID, c.activity, c.meta); err != nil {
			return nil, err
		}
	}
	if upd.Subject != nil && *upd.Subject != cur.Subject {
		doc := searchDoc{cur.ID, searchTerms(*upd.Subject, fmt.Sprint(cur.Number))}
		if err := t.indexSearch(ctx, "conversation_search", []searchDoc{doc}, true); err != nil {
			return nil, err
		}
	}
	return t.findConversation(ctx, cur.ID)
}

// conversationChanges lists what upd changes in cur, skipping no-ops.
func (t *tx) conversationChanges(ctx context.Context, cur *parley.Conversation, upd parley.ConversationUpdate, args *argList) ([]change, error) {
	var out []change
	meta := func(action, from, to string) map[string]string {
		return map[string]string{"action": action, "from": from, "to": to}
	}
	status := upd.Status
	if upd.SnoozedUntil != nil {
		snoozed := parley.StatusSnoozed
		status = &snoozed
	}
	if status != nil && (*status != cur.Status || *status == parley.StatusSnoozed) {
		out = append(out, t.statusChange(cur, *status, upd.SnoozedUntil, args))
	}
	if upd.Priority != nil && *upd.Priority != cur.Priority {
		out = append(out, change{sets: []string{"priority = " + args.add(*upd.Priority)},
			activity: fmt.Sprintf("Priority changed to %s", priorityName(*upd.Priority)),
			meta:     meta("priority", priorityName(cur.Priority), priorityName(*upd.Priority))})
	}
	if c, err := t.assigneeChange(ctx, cur, upd, args); err != nil {
		return nil, err
	} else if c != nil {
		out = append(out, *c)
	}
	if c, err := t.teamChange(ctx, cur, upd, args); err != nil {
		return nil, err
	} else if c != nil {
		out = append(out, *c)
	}
	if upd.Subject != nil && *upd.Subject != cur.Subject {
		out = append(out, change{sets: []string{"subject = " + args.add(*upd.Subject)},
			activity: "Subject changed to " + *upd.Subject, meta: meta("subject", cur.Subject, *upd.Subject)})
	}
	if added, removed := tagDiff(cur.Tags, upd); len(added)+len(removed) > 0 {
		var parts []string
		if len(added) > 0 {
			parts = append(parts, "Tagged "+strings.Join(added, ", "))
		}
		if len(removed) > 0 {
			parts = append(parts, "Untagged "+strings.Join(removed, ", "))
		}
		out = append(out, change{activity: strings.Join(parts, "; "),
			meta: map[string]string{"action": "tags", "added": strings.Join(added, ","), "removed": strings.Join(removed, ",")}})
	}
	return out, nil
}

func (t *tx) statusChange(cur *parley.Conversation, status parley.Status, until *time.Time, args *argList) change {
	sets := []string{"status = " + args.add(status)}
	text := fmt.Sprintf("Status changed from %s to %s", cur.Status, status)
	switch status {
	case parley.StatusSnoozed:
		sets = append(sets, "snoozed_until = "+args.add(*until))
		text = "Snoozed until " + until.UTC().Format(time.RFC3339)
	case parley.StatusResolved, parley.StatusClosed:
		sets = append(sets, "snoozed_until = NULL", "resolved_at = COALESCE(resolved_at, "+args.add(t.now)+")")
	default:
		sets = append(sets, "snoozed_until = NULL", "resolved_at = NULL")
	}
	meta := map[string]string{"action": "status", "from": string(cur.Status), "to": string(status)}
	if status == parley.StatusSnoozed {
		meta["until"] = until.UTC().Format(time.RFC3339) // the UI words the line in the agent's language and time zone
	}
	return change{sets: sets, activity: text, meta: meta}
}

func (t *tx) assigneeChange(ctx context.Context, cur *parley.Conversation, upd parley.ConversationUpdate, args *argList) (*change, error) {
	switch {
	case upd.ClearAssignee && cur.AssigneeID != nil:
		return &change{sets: []string{"assignee_id = NULL"}, activity: "Unassigned",
			meta: map[string]string{"action": "assignee", "from": fmt.Sprint(*cur.AssigneeID), "to": ""}}, nil
	case !upd.ClearAssignee && upd.AssigneeID != nil && (cur.AssigneeID == nil || *cur.AssigneeID != *upd.AssigneeID):
		agent, err := t.findAgent(ctx, "id = $1", *upd.AssigneeID)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return nil, parley.Errorf(parley.EINVALID, "agent %d does not exist", *upd.AssigneeID)
		} else if err != nil {
			return nil, err
		}
		return &change{sets: []string{"assignee_id = " + args.add(agent.ID)}, activity: "Assigned to " + agent.Name,
			meta: map[string]string{"action": "assignee", "from": optionalID(cur.AssigneeID), "to": fmt.Sprint(agent.ID)}}, nil
	}
	return nil, nil
}

func (t *tx) teamChange(ctx context.Context, cur *parley.Conversation, upd parley.ConversationUpdate, args *argList) (*change, error) {
	switch {
	case upd.ClearTeam && cur.TeamID != nil:
		return &change{sets: []string{"team_id = NULL"}, activity: "Removed from team",
			meta: map[string]string{"action": "team", "from": fmt.Sprint(*cur.TeamID), "to": ""}}, nil
	case !upd.ClearTeam && upd.TeamID != nil && (cur.TeamID == nil || *cur.TeamID != *upd.TeamID):
		team, err := t.findTeam(ctx, *upd.TeamID)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return nil, parley.Errorf(parley.EINVALID, "team %d does not exist", *upd.TeamID)
		} else if err != nil {
			return nil, err
		}
		return &change{sets: []string{"team_id = " + args.add(team.ID)}, activity: "Moved to team " + team.Name,
			meta: map[string]string{"action": "team", "from": optionalID(cur.TeamID), "to": fmt.Sprint(team.ID)}}, nil
	}
	return nil, nil
}

func optionalID(id *int64) string {
	if id == nil {
		return ""
	}
	return fmt.Sprint(*id)
}

func priorityName(p parley.Priority) string {
	switch p {
	case parley.PriorityLow:
		return "low"
	case parley.PriorityNormal:
		return "normal"
	case parley.PriorityHigh:
		return "high"
	case parley.PriorityUrgent:
		return "urgent"
	}
	return fmt.Sprint(int(p))
}

// tagDiff returns the tags upd really adds and removes.
func tagDiff(current []string, upd parley.ConversationUpdate) (added, removed []string) {
	for _, tag := range upd.AddTags {
		tag = strings.TrimSpace(tag)
		if tag != "" && !slices.Contains(current, tag) && !slices.Contains(added, tag) {
			added = append(added, tag)
		}
	}
	for _, tag := range upd.RemoveTags {
		if slices.Contains(current, tag) && !slices.Contains(removed, tag) && !slices.Contains(added, tag) {
			removed = append(removed, tag)
		}
	}
	return added, removed
}

func (t *tx) updateTags(ctx context.Context, cur *parley.Conversation, upd parley.ConversationUpdate) error {
	added, removed := tagDiff(cur.Tags, upd)
	if err := t.tagConversations(ctx, []int64{cur.ID}, added); err != nil {
		return err
	}
	if len(removed) == 0 {
		return nil
	}
	var args argList
	_, err := t.exec(ctx, `DELETE FROM conversation_tags WHERE conversation_id = `+args.add(cur.ID)+` AND tag IN `+in(&args, removed), args...)
	return t.s.wrap(err, "untagging conversation %d", cur.ID)
}

// addActivity records an activity line in a ticket's thread.
func (t *tx) addActivity(ctx context.Context, conv *parley.Conversation, actor *int64, text string, meta map[string]string) error {
	m := &parley.Message{ConversationID: conv.ID, Kind: parley.KindActivity, Body: text, AuthorAgentID: actor, Metadata: meta}
	prepareMessage(m, conv, t.now)
	return t.insertMessage(ctx, m)
}

// MergeConversations moves every message and tag of source into target,
// closes source and records an activity line on both.
func (s *Store) MergeConversations(ctx context.Context, targetID, sourceID int64, actorAgentID *int64) (*parley.Conversation, error) {
	if targetID == sourceID {
		return nil, parley.Errorf(parley.EINVALID, "cannot merge conversation %d into itself", targetID)
	}
	var conv *parley.Conversation
	err := s.write(ctx, func(t *tx) error {
		target, err := t.findConversation(ctx, targetID)
		if err != nil {
			return err
		}
		source, err := t.findConversation(ctx, sourceID)
		if err != nil {
			return err
		}
		if err := t.mergeInto(ctx, target, source); err != nil {
			return err
		}
		if err := t.addActivity(ctx, target, actorAgentID, fmt.Sprintf("Merged #%d into this conversation", source.Number),
			map[string]string{"action": "merge", "source": fmt.Sprint(source.ID), "source_number": fmt.Sprint(source.Number)}); err != nil {
			return err
		}
		if err := t.addActivity(ctx, source, actorAgentID, fmt.Sprintf("Merged into #%d", target.Number),
			map[string]string{"action": "merged_into", "target": fmt.Sprint(target.ID), "target_number": fmt.Sprint(target.Number)}); err != nil {
			return err
		}
		conv, err = t.findConversation(ctx, targetID)
		return err
	})
	return conv, err
}

func (t *tx) mergeInto(ctx context.Context, target, source *parley.Conversation) error {
	steps := []struct {
		what string
		q    string
		args []any
	}{
		{"moving messages", `UPDATE messages SET conversation_id = $1 WHERE conversation_id = $2`, []any{target.ID, source.ID}},
		// Files follow their messages: who may read them is decided by the ticket.
		{"moving files", `UPDATE files SET conversation_id = $1 WHERE conversation_id = $2`, []any{target.ID, source.ID}},
		{"moving tags", `INSERT INTO conversation_tags (conversation_id, tag) SELECT $1, tag FROM conversation_tags WHERE conversation_id = $2
			ON CONFLICT DO NOTHING`, []any{target.ID, source.ID}},
		{"updating target", `UPDATE conversations SET
			last_message_at = CASE WHEN last_message_at < $1 THEN $1 ELSE last_message_at END,
			last_preview = CASE WHEN last_message_at < $1 THEN $2 ELSE last_preview END,
			unread_count = unread_count + $3, version = version + 1, updated_at = $4 WHERE id = $5`,
			[]any{source.LastMessageAt, source.LastPreview, source.UnreadCount, t.now, target.ID}},
		{"closing source", `UPDATE conversations SET status = 'closed', snoozed_until = NULL, waiting_since = NULL, unread_count = 0,
			resolved_at = COALESCE(resolved_at, $1), version = version + 1, updated_at = $1 WHERE id = $2`, []any{t.now, source.ID}},
	}
	for _, st := range steps {
		if _, err := t.exec(ctx, st.q, st.args...); err != nil {
			return t.s.wrap(err, "merging #%d into #%d: %s", source.Number, target.Number, st.what)
		}
	}
	return t.mergeClocks(ctx, target, source)
}

// mergeClocks keeps the earliest waiting time and the latest inbound
// message of the two tickets on the target.
func (t *tx) mergeClocks(ctx context.Context, target, source *parley.Conversation) error {
	if source.WaitingSince != nil && (target.WaitingSince == nil || source.WaitingSince.Before(*target.WaitingSince)) {
		if _, err := t.exec(ctx, `UPDATE conversations SET waiting_since = $1 WHERE id = $2`, *source.WaitingSince, target.ID); err != nil {
			return t.s.wrap(err, "merging waiting time")
		}
	}
	if source.LastInboundAt != nil && (target.LastInboundAt == nil || source.LastInboundAt.After(*target.LastInboundAt)) {
		if _, err := t.exec(ctx, `UPDATE conversations SET last_inbound_at = $1 WHERE id = $2`, *source.LastInboundAt, target.ID); err != nil {
			return t.s.wrap(err, "merging reply window")
		}
	}
	return nil
}

// WakeSnoozed reopens snoozed tickets whose time has come and returns them.
func (s *Store) WakeSnoozed(ctx context.Context, now time.Time) ([]*parley.Conversation, error) {
	var woken []*parley.Conversation
	err := s.write(ctx, func(t *tx) error {
		ids, err := t.int64s(ctx, `UPDATE conversations SET status = 'open', snoozed_until = NULL, version = version + 1, updated_at = $1
			WHERE status = 'snoozed' AND snoozed_until <= $2 RETURNING id`, t.now, now)
		if err != nil {
			return s.wrap(err, "waking snoozed conversations")
		}
		for _, id := range ids {
			conv, err := t.findConversation(ctx, id)
			if err != nil {
				return err
			}
			if err := t.addActivity(ctx, conv, nil, "Snooze ended: reopened",
				map[string]string{"action": "status", "from": string(parley.StatusSnoozed), "to": string(parley.StatusOpen)}); err != nil {
				return err
			}
			woken = append(woken, conv)
		}
		return nil
	})
	return woken, err
}
