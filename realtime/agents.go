package realtime

import (
	"context"

	parley "github.com/parleyhq/parley"
)

// RefreshAgent reloads one connected agent's role and teams at once, so that
// what their sockets receive follows the change; a deactivated or deleted
// agent is disconnected. The HTTP layer can call it after changing an agent
// or a team; otherwise every node catches up within AgentRefresh.
func (h *Hub) RefreshAgent(ctx context.Context, agentID int64) error {
	if h.cfg.Agents == nil {
		return parley.Errorf(parley.EUNSUPPORTED, "realtime: no agent lookup configured")
	}
	if len(h.sockets.socketsOf(agentID)) == 0 {
		return nil // not connected here: the next connection brings a fresh agent
	}
	a, err := h.cfg.Agents.FindAgentByID(ctx, agentID)
	switch {
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		h.disconnectAgent(agentID, "agent deleted")
		return nil
	case err != nil:
		return parley.WrapError(parley.EUNAVAILABLE, err, "realtime: reload agent %d", agentID)
	case !a.Active:
		h.disconnectAgent(agentID, "agent deactivated")
		return nil
	}
	h.sockets.updateAgent(a)
	return nil
}

// refreshAgents reloads every connected agent; a failed lookup keeps the
// agent's previous rights until the next round.
func (h *Hub) refreshAgents(ctx context.Context) {
	for _, a := range h.sockets.connectedAgents() {
		if ctx.Err() != nil {
			return
		}
		if err := h.RefreshAgent(ctx, a.ID); err != nil {
			h.log.Warn("cannot refresh agent", "agent_id", a.ID, "err", err)
		}
	}
}

func (h *Hub) disconnectAgent(agentID int64, reason string) {
	for _, c := range h.sockets.socketsOf(agentID) {
		h.drop(c, statusPolicyViolation, reason)
	}
}
