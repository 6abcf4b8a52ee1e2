package realtime

import (
	"encoding/json"
	"time"

	parley "github.com/parleyhq/parley"
)

// Client frame types: what an agent's browser sends.
const (
	frameViewing = string(parley.ActivityViewing)
	frameTyping  = string(parley.ActivityTyping)
	frameLeft    = string(parley.ActivityLeft)
	framePing    = "ping"
)

// clientFrame is one message from a client:
// {"type":"viewing"|"typing"|"left","conversation_id":N} or {"type":"ping"}.
// Unknown fields are ignored so that newer clients work with older servers.
type clientFrame struct {
	Type           string `json:"type"`
	ConversationID int64  `json:"conversation_id"`
}

// parseClientFrame decodes and checks one client frame. Malformed input is an
// EINVALID error, never a panic.
func parseClientFrame(data []byte) (clientFrame, error) {
	var f clientFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return clientFrame{}, parley.Errorf(parley.EINVALID, "frame is not a JSON object with a type")
	}
	switch f.Type {
	case framePing:
		return f, nil
	case frameViewing, frameTyping, frameLeft:
		if f.ConversationID <= 0 {
			return clientFrame{}, parley.Errorf(parley.EINVALID, "%s needs a positive conversation_id", f.Type)
		}
		return f, nil
	case "":
		return clientFrame{}, parley.Errorf(parley.EINVALID, "frame has no type")
	}
	return clientFrame{}, parley.Errorf(parley.EINVALID, "unknown frame type %.40q", f.Type)
}

// helloFrame is the first thing a client receives.
func helloFrame(agentID int64) []byte {
	return mustMarshal(struct {
		Type    string `json:"type"`
		AgentID int64  `json:"agent_id"`
	}{"hello", agentID})
}

var pongFrame = []byte(`{"type":"pong"}`)

// errorFrame reports a refused client frame, shaped like the HTTP API's
// error body so that clients need one decoder.
func errorFrame(err error) []byte {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	return mustMarshal(struct {
		Type  string `json:"type"`
		Error body   `json:"error"`
	}{"error", body{parley.ErrorCode(err), parley.ErrorMessage(err)}})
}

// eventFrame is the JSON of e as clients receive it. The node a presence
// came from is an internal detail and is left out.
func eventFrame(e *parley.Event) ([]byte, error) {
	if e.Presence != nil && e.Presence.Node != "" {
		copied, p := *e, *e.Presence
		p.Node = ""
		copied.Presence = &p
		e = &copied
	}
	data, err := json.Marshal(e)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "encode %s event", e.Type)
	}
	return data, nil
}

// noticeFrame turns a presence notice into the event clients receive:
// "viewing" for activity in a conversation, "presence" for online/offline.
func noticeFrame(p *parley.PresenceInfo, at time.Time) []byte {
	t := parley.EventPresence
	if p.ConversationID != 0 {
		t = parley.EventViewing
	}
	data, err := eventFrame(&parley.Event{Type: t, Presence: p, At: at})
	if err != nil {
		panic(err) // a PresenceInfo always encodes
	}
	return data
}

func mustMarshal(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with fixed, encodable shapes
	}
	return data
}
