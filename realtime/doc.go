// Package realtime pushes domain events live to agents' screens over
// WebSocket, each only to the agents allowed to see it, on every app node,
// and shares presence ("Ana is viewing / typing") between nodes.
//
// Every node subscribes to the event backbone and to the PresenceBus and
// delivers to its own sockets only, so adding nodes adds capacity. A slow
// socket never holds the others back: each has a bounded send queue and is
// disconnected when it overflows (the client reconnects and refetches).
//
// # Wiring
//
//	hub, err := realtime.NewHub(realtime.Config{Events: bus, Presence: bus, Agents: store, NodeID: node})
//	err = hub.Start(ctx)                      // subscribe; background loops
//	mux: hub.ServeAgent(w, r, agent)          // after authentication
//	on SIGTERM: hub.Close()                   // "going away" to every socket
//
// After changing an agent's role, teams or active flag, the HTTP layer may
// call RefreshAgent; otherwise every node reloads connected agents every
// Config.AgentRefresh.
//
// # Protocol
//
// Server → client, one JSON object per text message:
//
//	{"type":"hello","agent_id":N}               first, once
//	<parley.Event>                              domain events the agent may see (Agent.CanSee
//	                                            on the conversation after the change; messages
//	                                            without their conversation: supervisors only;
//	                                            contact.updated, channel.updated: everyone);
//	                                            contacts' e-mail and phone masked unless the
//	                                            field policy unmasks the agent's role
//	{"type":"presence","presence":{agent_id,agent_name,presence:"online"|"offline"},"at":…}
//	                                            to supervisors and admins (and the agent
//	                                            themself; everyone with PresenceToAll): the
//	                                            agent's first socket on any node, and their
//	                                            last one gone for OfflineGrace
//	{"type":"viewing","presence":{agent_id,agent_name,conversation_id,activity},"at":…}
//	                                            to the other agents viewing that conversation;
//	                                            activity is viewing, typing or left
//	{"type":"pong"}                             answer to a ping
//	{"type":"error","error":{"code":"invalid","message":…}}
//	                                            a client frame was refused; the socket stays
//
// Client → server:
//
//	{"type":"viewing","conversation_id":N}      refresh at least every 30 s (ViewingTTL);
//	                                            the first one is answered with a viewing
//	                                            frame for each agent already there, or,
//	                                            with Config.Conversations, a not_found
//	                                            error if the agent may not see it
//	{"type":"typing","conversation_id":N}       refresh at least every 6 s (TypingTTL)
//	{"type":"left","conversation_id":N}
//	{"type":"ping"}
//
// Presence and viewing frames are advisory: a socket whose queue is half full
// skips them rather than being disconnected.
//
// Close statuses: 1001 going away (node shutting down: reconnect, perhaps to
// another node), 1013 try again later (too slow: reconnect and refetch),
// 1008 policy violation (frame flood, no pong, agent deactivated), 1009
// message too big (over ReadLimit), 1003 unsupported data (binary frame).
package realtime
