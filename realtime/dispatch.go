package realtime

import (
	"context"

	parley "github.com/parleyhq/parley"
)

// visibleTo decides whether an event may reach agent a's screen. Events
// about a conversation follow Agent.CanSee on the conversation as it is after
// the change, so a reassignment reaches the new assignee and stops reaching
// those who lost the ticket. A message without its conversation cannot be
// checked, so only those who see every ticket get it. Contacts and channels
// are for every agent. Agents' presence goes to supervisors and admins (and
// to the agent's own screens) unless presenceToAll: sent to everyone, every
// connect or disconnect costs one frame per socket, and a reconnect storm of
// N agents N² frames.
func visibleTo(a *parley.Agent, e *parley.Event, presenceToAll bool) bool {
	switch {
	case a == nil:
		return false
	case e.Conversation != nil:
		return a.CanSee(e.Conversation)
	case e.Message != nil:
		return a.Role.AtLeast(parley.RoleSupervisor)
	case e.Type == parley.EventPresence:
		return presenceToAll || a.Role.AtLeast(parley.RoleSupervisor) ||
			(e.Presence != nil && e.Presence.AgentID == a.ID)
	}
	return true
}

// advisory reports whether an event type may be skipped for a busy socket
// instead of costing it its connection.
func advisory(t parley.EventType) bool {
	return t == parley.EventPresence || t == parley.EventViewing
}

// deliverEvent fans one domain event out to this node's sockets. It encodes
// once per audience (contacts in full or masked by the field policy), never
// blocks, and drops the sockets whose queue overflowed.
func (h *Hub) deliverEvent(e *parley.Event) {
	if e == nil {
		return
	}
	frames, err := newEventFrames(e)
	if err != nil {
		h.log.Error("cannot encode event", "type", e.Type, "err", err)
		return
	}
	critical := !advisory(e.Type)
	var slow []*client
	h.sockets.each(func(c *client) {
		a := c.agent()
		if !visibleTo(a, e, h.cfg.PresenceToAll) {
			return
		}
		frame := frames.masked
		if h.policy.unmasked(a) {
			frame = frames.full
		}
		if !c.enqueue(frame, critical) {
			slow = append(slow, c)
		}
	})
	for _, c := range slow {
		h.drop(c, statusTryAgainLater, "too slow: send queue full")
	}
}

// handleFrame acts on one client frame.
func (h *Hub) handleFrame(c *client, f clientFrame) {
	switch f.Type {
	case framePing:
		c.enqueue(pongFrame, false)
	case frameViewing, frameTyping:
		h.startViewing(c, f.ConversationID, parley.Activity(f.Type))
	case frameLeft:
		if h.sockets.unwatch(c, f.ConversationID) {
			return // another socket of the same agent still views it
		}
		h.announceActivity(c, f.ConversationID, parley.ActivityLeft)
	}
}

// startViewing records and announces that c views (or types in) a
// conversation; a socket that just arrived also learns who else is there.
func (h *Hub) startViewing(c *client, conversationID int64, activity parley.Activity) {
	if !h.sockets.isWatching(c, conversationID) {
		if err := h.checkCanView(c.agent(), conversationID); err != nil {
			c.enqueue(errorFrame(err), false)
			return
		}
	}
	now := h.clock.Now()
	isNew := h.sockets.watch(c, conversationID, now.Add(h.cfg.ViewingTTL))
	h.announceActivity(c, conversationID, activity)
	if !isNew {
		return
	}
	for _, v := range h.presence.viewersOf(conversationID, now) {
		if v.AgentID != c.agentID {
			c.enqueue(noticeFrame(&v, now), false)
		}
	}
}

// checkCanView refuses a conversation the agent may not see, as not found
// so that its existence is not revealed either.
func (h *Hub) checkCanView(a *parley.Agent, conversationID int64) error {
	if h.cfg.Conversations == nil || a.Role.AtLeast(parley.RoleSupervisor) {
		return nil // supervisors see every conversation: no need to look
	}
	ctx, cancel := context.WithTimeout(h.life, h.cfg.WriteTimeout)
	defer cancel()
	conv, err := h.cfg.Conversations.FindConversationByID(ctx, conversationID)
	switch {
	case err == nil && a.CanSee(conv):
		return nil
	case err == nil || parley.ErrorCode(err) == parley.ENOTFOUND:
		return parley.Errorf(parley.ENOTFOUND, "conversation %d not found", conversationID)
	}
	h.log.Warn("cannot check a viewed conversation", "conversation_id", conversationID, "err", err)
	return parley.Errorf(parley.EUNAVAILABLE, "cannot check conversation %d now; try again", conversationID)
}

func (h *Hub) announceActivity(c *client, conversationID int64, activity parley.Activity) {
	a := c.agent()
	h.announce(&parley.PresenceInfo{AgentID: a.ID, AgentName: a.Name, ConversationID: conversationID,
		Activity: activity, Node: h.node})
}

// announce applies presence from this node at once and shares it with the
// other nodes, which apply it when it arrives (receivePresence).
func (h *Hub) announce(p *parley.PresenceInfo) {
	if n := h.presence.apply(p, h.clock.Now()); n != nil {
		h.notify(n)
	}
	if h.cfg.Presence == nil {
		return
	}
	ctx, cancel := context.WithTimeout(h.life, h.cfg.WriteTimeout)
	defer cancel()
	if err := h.cfg.Presence.PublishPresence(ctx, p); err != nil {
		h.log.Warn("cannot share presence", "agent_id", p.AgentID, "err", err)
	}
}

// receivePresence applies presence heard from another node. Our own, echoed
// back by the bus, was applied when announced.
func (h *Hub) receivePresence(p *parley.PresenceInfo) {
	if p == nil || p.Node == h.node || p.AgentID == 0 {
		return
	}
	if n := h.presence.apply(p, h.clock.Now()); n != nil {
		h.notify(n)
	}
}

// notify tells this node's sockets about a presence change: activity goes to
// the other agents viewing the conversation, online/offline to everyone.
// These frames are advisory: a busy socket skips them.
func (h *Hub) notify(n *parley.PresenceInfo) {
	frame := noticeFrame(n, h.clock.Now())
	if n.ConversationID == 0 {
		e := &parley.Event{Type: parley.EventPresence, Presence: n}
		h.sockets.each(func(c *client) {
			if visibleTo(c.agent(), e, h.cfg.PresenceToAll) {
				c.enqueue(frame, false)
			}
		})
		return
	}
	h.sockets.eachWatcher(n.ConversationID, func(c *client) {
		if c.agentID != n.AgentID {
			c.enqueue(frame, false)
		}
	})
}

// sweep expires presence that was not refreshed in time and announces the
// agents who left this node and did not come back within OfflineGrace.
func (h *Hub) sweep(context.Context) {
	now := h.clock.Now()
	for _, n := range h.presence.expire(now) {
		h.notify(n)
	}
	h.sockets.expireWatchers(now)
	h.announceOffline(h.sockets.dueOffline(now))
}

func (h *Hub) announceOffline(agents []*parley.PresenceInfo) {
	for _, p := range agents {
		p.Node = h.node
		h.announce(p)
	}
}

// heartbeat re-announces this node's agents, so that other nodes keep them
// online while this node lives and let them go offline when it dies. It
// also repairs this node's own view if a connect and a delayed offline
// crossed.
func (h *Hub) heartbeat(ctx context.Context) {
	for _, a := range h.sockets.connectedAgents() {
		if ctx.Err() != nil {
			return
		}
		h.announce(&parley.PresenceInfo{AgentID: a.ID, AgentName: a.Name, Presence: parley.PresenceOnline, Node: h.node})
	}
}
