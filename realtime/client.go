package realtime

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/metrics"
)

// Close statuses the hub uses.
const (
	statusGoingAway       = websocket.StatusGoingAway       // node shutting down: reconnect elsewhere
	statusTryAgainLater   = websocket.StatusTryAgainLater   // too slow: reconnect and refetch
	statusPolicyViolation = websocket.StatusPolicyViolation // flooding, deactivated agent, dead peer
	statusUnsupportedData = websocket.StatusUnsupportedData // binary frames
)

// client is one agent socket. Two goroutines serve it: the HTTP handler
// reads client frames, writeLoop drains the send queue; nothing else ever
// writes to the connection, so a slow peer only ever blocks its own writer.
type client struct {
	hub     *Hub
	conn    *websocket.Conn
	agentID int64
	owner   *agentSockets // set by registry.add; holds the current agent
	send    chan []byte
	limiter *rate.Limiter

	kickOnce   sync.Once
	kicked     chan struct{}
	kickCode   websocket.StatusCode
	kickReason string
	writerDone chan struct{}
	pingTimer  *time.Timer

	watching map[int64]struct{} // conversations viewed; guarded by registry.mu
}

// ServeAgent upgrades an authenticated request to the agent's live socket
// and serves it until either side closes. The HTTP layer authenticates the
// agent before calling it.
func (h *Hub) ServeAgent(w http.ResponseWriter, r *http.Request, a *parley.Agent) {
	if a == nil || !a.Active {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if h.sockets.isClosed() {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: h.cfg.OriginPatterns})
	if err != nil {
		h.log.Debug("websocket upgrade refused", "agent_id", a.ID, "err", err)
		return // Accept has answered the request
	}
	conn.SetReadLimit(h.cfg.ReadLimit)
	c := h.newClient(conn, a)
	c.enqueue(helloFrame(a.ID), true) // queued before any event can be
	first, ok := h.sockets.add(c, a)
	if !ok {
		_ = conn.Close(statusGoingAway, "server shutting down")
		return
	}
	defer h.sockets.finished()
	metrics.WebSocketClients.Inc()
	if first {
		h.announce(&parley.PresenceInfo{AgentID: a.ID, AgentName: a.Name, Presence: parley.PresenceOnline, Node: h.node})
	}
	go c.writeLoop()
	c.startPings()
	c.readLoop()
	h.detach(c) // at once: closing the socket may wait for the peer
	c.kick(websocket.StatusNormalClosure, "")
	<-c.writerDone
	c.pingTimer.Stop()
}

func (h *Hub) newClient(conn *websocket.Conn, a *parley.Agent) *client {
	return &client{
		hub:        h,
		conn:       conn,
		agentID:    a.ID,
		send:       make(chan []byte, h.cfg.SendQueue),
		limiter:    rate.NewLimiter(rate.Limit(h.cfg.FrameRate), int(2*h.cfg.FrameRate)),
		kicked:     make(chan struct{}),
		writerDone: make(chan struct{}),
	}
}

// agent is the agent as currently known (role and teams may have changed
// since the socket opened).
func (c *client) agent() *parley.Agent { return c.owner.agent.Load() }

// enqueue offers a frame to the socket without ever blocking. A critical
// frame (a domain event) that does not fit returns false: the caller drops
// the socket, since a screen that silently missed an event would be wrong.
// Advisory frames (presence, activity) are skipped once the queue is half
// full, so that bursts of them never cost a socket.
func (c *client) enqueue(frame []byte, critical bool) bool {
	if !critical && len(c.send) >= cap(c.send)/2 {
		return true
	}
	select {
	case c.send <- frame:
		return true
	default:
		return !critical
	}
}

// kick asks the writer to close the socket with a status; the first call
// wins. It never blocks.
func (c *client) kick(code websocket.StatusCode, reason string) {
	c.kickOnce.Do(func() {
		c.kickCode, c.kickReason = code, reason
		close(c.kicked)
	})
}

func (c *client) writeLoop() {
	defer close(c.writerDone)
	for {
		select { // a kick wins over queued frames
		case <-c.kicked:
			c.closeWithKick()
			return
		default:
		}
		select {
		case <-c.kicked:
			c.closeWithKick()
			return
		case frame := <-c.send:
			if err := c.write(frame); err != nil {
				c.hub.log.Debug("websocket write failed", "agent_id", c.agentID, "err", err)
				_ = c.conn.CloseNow()
				return
			}
		}
	}
}

func (c *client) write(frame []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.hub.cfg.WriteTimeout)
	defer cancel()
	return c.conn.Write(ctx, websocket.MessageText, frame)
}

func (c *client) closeWithKick() {
	if c.kickCode == websocket.StatusNormalClosure && c.kickReason == "" {
		_ = c.conn.CloseNow() // the reader already ended: the peer is gone or closed
		return
	}
	_ = c.conn.Close(c.kickCode, c.kickReason)
}

// startPings pings the peer every PingInterval; a peer that does not answer
// within WriteTimeout is disconnected. The timer spawns a goroutine only while
// a ping is in flight, so idle sockets cost no extra goroutine.
func (c *client) startPings() {
	interval := c.hub.cfg.PingInterval
	c.pingTimer = time.AfterFunc(time.Hour, c.ping)
	c.pingTimer.Stop()
	c.pingTimer.Reset(interval)
}

func (c *client) ping() {
	ctx, cancel := context.WithTimeout(context.Background(), c.hub.cfg.WriteTimeout)
	defer cancel()
	if err := c.conn.Ping(ctx); err != nil {
		c.hub.drop(c, statusPolicyViolation, "no pong")
		return
	}
	c.pingTimer.Reset(c.hub.cfg.PingInterval)
}

// readLoop handles client frames until the connection ends.
func (c *client) readLoop() {
	ctx := context.Background() // the connection's end, not a deadline, stops reads
	for {
		typ, data, err := c.conn.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			c.kick(statusUnsupportedData, "text frames only")
			return
		}
		if !c.limiter.Allow() {
			c.kick(statusPolicyViolation, "too many frames")
			return
		}
		f, err := parseClientFrame(data)
		if err != nil {
			c.enqueue(errorFrame(err), false)
			continue
		}
		c.hub.handleFrame(c, f)
	}
}

// detach unregisters a socket (once) and tells everyone about the
// conversations the agent no longer views. If it was the agent's last socket
// here, the sweeper announces them offline after OfflineGrace unless they
// reconnect first.
func (h *Hub) detach(c *client) {
	removed, left := h.sockets.remove(c, h.clock.Now().Add(h.cfg.OfflineGrace))
	if !removed {
		return
	}
	metrics.WebSocketClients.Dec()
	a := c.agent()
	for _, convID := range left {
		h.announce(&parley.PresenceInfo{AgentID: a.ID, AgentName: a.Name, ConversationID: convID,
			Activity: parley.ActivityLeft, Node: h.node})
	}
}

// drop disconnects a socket at once: it gets no more frames, and its writer
// closes it with the given status.
func (h *Hub) drop(c *client, code websocket.StatusCode, reason string) {
	h.log.Info("dropping websocket", "agent_id", c.agentID, "status", code.String(), "reason", reason)
	h.detach(c)
	c.kick(code, reason)
}
