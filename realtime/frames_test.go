package realtime

import (
	"encoding/json"
	"testing"

	parley "github.com/parleyhq/parley"
)

func TestParseClientFrame(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     clientFrame
		wantErr  bool
	}{
		{"viewing", `{"type":"viewing","conversation_id":42}`, clientFrame{"viewing", 42}, false},
		{"typing", `{"type":"typing","conversation_id":1}`, clientFrame{"typing", 1}, false},
		{"left", `{"type":"left","conversation_id":9}`, clientFrame{"left", 9}, false},
		{"ping needs no conversation", `{"type":"ping"}`, clientFrame{"ping", 0}, false},
		{"unknown fields are ignored", `{"type":"ping","v":2}`, clientFrame{"ping", 0}, false},
		{"activity without a conversation", `{"type":"viewing"}`, clientFrame{}, true},
		{"zero conversation", `{"type":"left","conversation_id":0}`, clientFrame{}, true},
		{"no type", `{"conversation_id":3}`, clientFrame{}, true},
		{"unknown type", `{"type":"dance","conversation_id":3}`, clientFrame{}, true},
		{"not JSON", `viewing 3`, clientFrame{}, true},
		{"wrong field type", `{"type":"viewing","conversation_id":"3"}`, clientFrame{}, true},
		{"an array", `[1,2]`, clientFrame{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseClientFrame([]byte(tc.in))
			if tc.wantErr {
				if parley.ErrorCode(err) != parley.EINVALID {
					t.Errorf("error = %v, want an invalid error", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func FuzzParseClientFrame(f *testing.F) {
	for _, seed := range []string{
		`{"type":"viewing","conversation_id":42}`, `{"type":"ping"}`, `{"type":"left","conversation_id":-1}`,
		`{"type":"typing","conversation_id":9223372036854775807}`, `{"type":null}`, `[]`, `"x"`, ``, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseClientFrame(data)
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("error %v is not an invalid error", err)
			}
			return
		}
		switch got.Type {
		case framePing:
		case frameViewing, frameTyping, frameLeft:
			if got.ConversationID <= 0 {
				t.Fatalf("accepted %s without a positive conversation: %q", got.Type, data)
			}
		default:
			t.Fatalf("accepted unknown type %q", got.Type)
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEventFrameHidesNode(t *testing.T) {
	p := &parley.PresenceInfo{AgentID: 1, AgentName: "Ana", Presence: parley.PresenceOnline, Node: "node-a"}
	data, err := eventFrame(&parley.Event{Type: parley.EventPresence, Presence: p})
	if err != nil {
		t.Fatal(err)
	}
	var got parley.Event
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Presence.Node != "" || got.Presence.AgentID != 1 {
		t.Errorf("frame %s: want the presence without its node", data)
	}
	if p.Node != "node-a" {
		t.Errorf("encoding changed the caller's event")
	}
}
