package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
)

// refreshingHub records what the API asks the realtime hub to reload.
type refreshingHub struct {
	mu       sync.Mutex
	agents   []int64
	policies int
}

func (h *refreshingHub) ServeAgent(w http.ResponseWriter, _ *http.Request, _ *parley.Agent) {
	w.WriteHeader(http.StatusNoContent)
}

func (h *refreshingHub) RefreshAgent(_ context.Context, id int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.agents = append(h.agents, id)
	return nil
}

func (h *refreshingHub) RefreshFieldPolicy(context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.policies++
	return nil
}

// Sockets must stop receiving what an agent may no longer see as soon as an
// admin changes their role or the field policy, not a refresh interval later.
func TestRealtimeFollowsRoleAndPolicyChanges(t *testing.T) {
	hub := &refreshingHub{}
	e := MustEnv(t, func(c *httpapi.Config) { c.Realtime = hub })
	admin := e.MustToken(t, e.MustAgent(t, "root@x.test", parley.RoleAdmin))
	sup := e.MustAgent(t, "sue@x.test", parley.RoleSupervisor)

	if rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/agents/" + itoa(sup.ID), Token: admin, Body: map[string]any{"name": "Sue B."}}); rec.Code != http.StatusOK {
		t.Fatalf("rename: %d %s", rec.Code, rec.Body)
	}
	if rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/agents/" + itoa(sup.ID), Token: admin, Body: map[string]any{"role": "agent"}}); rec.Code != http.StatusOK {
		t.Fatalf("demote: %d %s", rec.Code, rec.Body)
	}
	if rec := Do(t, e.Srv, Req{Method: "PUT", Path: "/api/v1/settings/field-policy", Token: admin, Body: map[string]any{"unmasked_roles": []string{}}}); rec.Code != http.StatusOK {
		t.Fatalf("policy: %d %s", rec.Code, rec.Body)
	}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if !slices.Equal(hub.agents, []int64{sup.ID}) {
		t.Errorf("agents refreshed %v, want only the demotion of %d", hub.agents, sup.ID)
	}
	if hub.policies != 1 {
		t.Errorf("field policy refreshed %d times, want 1", hub.policies)
	}
}
