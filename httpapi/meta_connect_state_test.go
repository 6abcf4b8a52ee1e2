package httpapi

import (
	"strings"
	"testing"
	"time"
)

// FuzzConnectState: whatever comes back as the OAuth state, checkState
// answers a clear error or a state that is signed and unexpired, and never
// panics. (A fresh signature cannot be found by fuzzing; the round trip
// below checks that signed states pass.)
func FuzzConnectState(f *testing.F) {
	m := &MetaConnect{StateKey: []byte("fuzz-key")}
	now := time.Unix(1_763_712_000, 0)
	f.Add(m.signState(7, now))
	f.Add("")
	f.Add(".")
	f.Add("eyJhIjo3fQ.")
	f.Add(strings.Repeat("A", 300) + "." + strings.Repeat("B", 43))
	f.Fuzz(func(t *testing.T, state string) {
		st, err := m.checkState(state, now)
		if err != nil {
			if !strings.Contains(err.Error(), "start again") {
				t.Fatalf("unclear error %v", err)
			}
			return
		}
		if st.Expires < now.Unix() || !strings.Contains(state, ".") {
			t.Fatalf("accepted %q → %+v", state, st)
		}
	})
}

func TestConnectStateRoundTrip(t *testing.T) {
	m := &MetaConnect{StateKey: []byte("k")}
	now := time.Unix(1_763_712_000, 0)
	st, err := m.checkState(m.signState(42, now), now.Add(stateLifetime-time.Second))
	if err != nil || st.AgentID != 42 {
		t.Fatalf("%+v %v", st, err)
	}
	other := &MetaConnect{StateKey: []byte("another node's key")}
	if _, err := other.checkState(m.signState(42, now), now); err == nil {
		t.Error("a state signed with another key was accepted")
	}
}
