package realtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// AgentLookup finds an agent with its current role and teams, so that the
// hub can follow changes to what a connected agent may see.
type AgentLookup interface {
	FindAgentByID(ctx context.Context, id int64) (*parley.Agent, error)
}

// ConversationLookup finds a conversation, so that the hub can check that an
// agent may see a conversation before sharing who views it.
type ConversationLookup interface {
	FindConversationByID(ctx context.Context, id int64) (*parley.Conversation, error)
}

// Config wires a Hub. Events is required; the rest have working defaults.
type Config struct {
	Events   parley.EventSubscriber // domain events from every node
	Presence parley.PresenceBus     // nil: presence stays on this node
	Agents   AgentLookup            // nil: agents keep the role and teams they connected with
	// Conversations checks Agent.CanSee when a socket starts viewing a
	// conversation; nil trusts the client (it learns only who views it).
	Conversations ConversationLookup
	// FieldPolicy decides who sees contacts' e-mail and phone unmasked in
	// events; nil applies identity.DefaultFieldPolicy.
	FieldPolicy FieldPolicySource
	NodeID      string // this node's name in logs; default random
	Logger      *slog.Logger
	Clock       parley.Clock // presence expiry; default parley.SystemClock

	// Tuning; zero means the default in brackets.
	SendQueue         int           // frames queued per socket before it counts as slow [64]
	WriteTimeout      time.Duration // one frame's write before the socket is dropped [10s]
	PingInterval      time.Duration // WebSocket ping to detect dead peers [30s]
	ReadLimit         int64         // largest client frame in bytes [4096]
	FrameRate         float64       // client frames per second allowed, burst twice that [20]
	ViewingTTL        time.Duration // viewing without refresh expires [30s]
	TypingTTL         time.Duration // typing without refresh expires [6s]
	PresenceHeartbeat time.Duration // re-announce this node's agents; 3 missed = offline [30s]
	OfflineGrace      time.Duration // an agent's last socket closed: offline unless back by then [5s]
	AgentRefresh      time.Duration // reload connected agents' role and teams [1m]
	PolicyRefresh     time.Duration // reload the field policy [10s]
	SweepInterval     time.Duration // how often expiry is checked [1s]
	OriginPatterns    []string      // extra allowed Origin hosts besides the request's own
	// PresenceToAll sends agents' online/offline to every agent, not only to
	// supervisors and admins: friendly for small teams, but N² frames when N
	// agents reconnect at once.
	PresenceToAll bool
}

func (c Config) withDefaults() Config {
	setDefault(&c.SendQueue, 64)
	setDefault(&c.WriteTimeout, 10*time.Second)
	setDefault(&c.PingInterval, 30*time.Second)
	setDefault(&c.ReadLimit, 4096)
	setDefault(&c.FrameRate, 20)
	setDefault(&c.ViewingTTL, 30*time.Second)
	setDefault(&c.TypingTTL, 6*time.Second)
	setDefault(&c.PresenceHeartbeat, 30*time.Second)
	setDefault(&c.OfflineGrace, 5*time.Second)
	setDefault(&c.AgentRefresh, time.Minute)
	setDefault(&c.PolicyRefresh, 10*time.Second)
	setDefault(&c.SweepInterval, time.Second)
	if c.NodeID == "" {
		c.NodeID = "node"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = parley.SystemClock{}
	}
	return c
}

func setDefault[T int | int64 | float64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// instanceID names this hub on the PresenceBus: the node's name plus a
// random suffix, so that two nodes configured with the same name (or one
// restarted) never mistake each other's presence for their own echo.
func instanceID(node string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails on supported platforms
	return node + "-" + hex.EncodeToString(b)
}

// Hub is one node's set of agent sockets. Create it with NewHub, call Start
// once, hand it authenticated requests with ServeAgent, and Close it on
// shutdown.
type Hub struct {
	cfg   Config
	log   *slog.Logger
	clock parley.Clock
	node  string // instance id on the PresenceBus

	presence *tracker
	sockets  *registry
	policy   fieldPolicy

	// life is the hub's lifetime: background loops and socket goroutines.
	life       context.Context
	stop       context.CancelFunc
	background sync.WaitGroup
	startOnce  sync.Once
}

// NewHub checks cfg and builds a hub; nothing runs until Start.
func NewHub(cfg Config) (*Hub, error) {
	if cfg.Events == nil {
		return nil, parley.Errorf(parley.EINVALID, "realtime: Config.Events is required")
	}
	cfg = cfg.withDefaults()
	instance := instanceID(cfg.NodeID)
	life, stop := context.WithCancel(context.Background())
	h := &Hub{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "realtime", "node", cfg.NodeID),
		clock:    cfg.Clock,
		node:     instance,
		presence: newTracker(instance, cfg.ViewingTTL, cfg.TypingTTL, 3*cfg.PresenceHeartbeat),
		sockets:  newRegistry(),
		life:     life,
		stop:     stop,
	}
	if cfg.FieldPolicy == nil {
		def := identity.DefaultFieldPolicy()
		h.policy.current.Store(&def)
	}
	return h, nil
}

// Start subscribes to domain events and presence from every node and starts
// the expiry, heartbeat and agent refresh loops. They run until ctx is done
// or the hub is closed.
func (h *Hub) Start(ctx context.Context) error {
	var err error = parley.Errorf(parley.ECONFLICT, "realtime: hub already started")
	h.startOnce.Do(func() { err = h.start(ctx) })
	return err
}

func (h *Hub) start(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	context.AfterFunc(h.life, cancel)
	h.refreshFieldPolicy(ctx) // before any event, so that agents with rights see details at once
	if err := h.cfg.Events.SubscribeEvents(ctx, h.deliverEvent); err != nil {
		cancel()
		return parley.WrapError(parley.EUNAVAILABLE, err, "realtime: subscribe to events")
	}
	if h.cfg.Presence != nil {
		if err := h.cfg.Presence.SubscribePresence(ctx, h.receivePresence); err != nil {
			cancel()
			return parley.WrapError(parley.EUNAVAILABLE, err, "realtime: subscribe to presence")
		}
	}
	h.every(ctx, h.cfg.PresenceHeartbeat, h.heartbeat)
	h.every(ctx, h.cfg.SweepInterval, h.sweep)
	if h.cfg.Agents != nil {
		h.every(ctx, h.cfg.AgentRefresh, h.refreshAgents)
	}
	if h.cfg.FieldPolicy != nil {
		h.every(ctx, h.cfg.PolicyRefresh, h.refreshFieldPolicy)
	}
	return nil
}

// every runs fn every interval until ctx is done.
func (h *Hub) every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	h.background.Add(1)
	go func() {
		defer h.background.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn(ctx)
			}
		}
	}()
}

// Viewers lists the agents viewing or typing in a conversation, on any node,
// ordered by agent id.
func (h *Hub) Viewers(conversationID int64) []parley.PresenceInfo {
	return h.presence.viewersOf(conversationID, h.clock.Now())
}

// Clients is the number of sockets open on this node.
func (h *Hub) Clients() int { return h.sockets.count() }

// Close disconnects every socket with "going away" so that clients reconnect
// to another node, waits for them to finish (bounded by the close handshake
// timeouts), announces their agents offline here, and stops the hub's loops.
// New connections are refused.
func (h *Hub) Close() {
	for _, c := range h.sockets.closeAll() {
		c.kick(statusGoingAway, "server shutting down")
	}
	h.sockets.wait()
	h.announceOffline(h.sockets.dueOffline(time.Time{}))
	h.stop()
	h.background.Wait()
}
