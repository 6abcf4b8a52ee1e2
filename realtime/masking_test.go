package realtime_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
	"github.com/parleyhq/parley/realtime"
)

// policyStore is the settings table the hub loads the field policy from.
type policyStore struct {
	mu     sync.Mutex
	policy identity.FieldPolicy
	err    error
}

func (p *policyStore) FieldPolicy(context.Context) (identity.FieldPolicy, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.policy, p.err
}

func (p *policyStore) set(pol identity.FieldPolicy, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.policy, p.err = pol, err
}

const (
	secretEmail = "ana.lopez@example.com"
	secretPhone = "+4915112345678"
)

func secretContact() *parley.Contact {
	return &parley.Contact{ID: 7, Name: "Ana López", Email: secretEmail, Phone: secretPhone,
		Identities: []*parley.Identity{
			{ID: 1, Kind: parley.IdentityEmail, Value: secretEmail, Verified: true},
			{ID: 2, Kind: parley.IdentityWhatsApp, Value: secretPhone, Verified: true},
		}}
}

// contactEvents are the events that carry a contact to agents' screens.
func contactEvents() map[string]*parley.Event {
	now := time.Now()
	return map[string]*parley.Event{
		"contact.updated": {Type: parley.EventContactUpdated, Contact: secretContact(), At: now},
		"conversation.created with its contact": {Type: parley.EventConversationCreated,
			Conversation: &parley.Conversation{ID: 500, Status: parley.StatusOpen, ContactID: 7, Contact: secretContact()}, At: now},
		"message.created with conversation and contact": {Type: parley.EventMessageCreated,
			Message:      &parley.Message{ID: 9, ConversationID: 500, Body: "hello"},
			Conversation: &parley.Conversation{ID: 500, Status: parley.StatusOpen, ContactID: 7, Contact: secretContact()},
			Contact:      secretContact(), At: now},
	}
}

// rawUntilMarker returns the raw frames one client got before the marker.
func rawUntilMarker(t *testing.T, c *testClient, marker int64) string {
	t.Helper()
	var b strings.Builder
	for _, f := range c.Until(t, "marker", isMarker(marker)) {
		b.WriteString(f.Raw)
	}
	return b.String()
}

func leaks(raw string) bool {
	return strings.Contains(raw, secretEmail) || strings.Contains(raw, secretPhone)
}

func TestContactsInEventsFollowTheFieldPolicy(t *testing.T) {
	policy := &policyStore{policy: identity.DefaultFieldPolicy()}
	bus := newMemBus()
	dir := newAgentDirectory(agent(1, "Ana", parley.RoleAgent), agent(3, "Sue", parley.RoleSupervisor),
		agent(4, "Root", parley.RoleAdmin))
	node := MustStartNode(t, bus, bus, dir, func(c *realtime.Config) { c.FieldPolicy = policy; c.PolicyRefresh = time.Hour })
	ana, sue, root := MustDial(t, node, 1), MustDial(t, node, 3), MustDial(t, node, 4)
	marker := int64(1000)
	receive := func(t *testing.T, e *parley.Event) (agentRaw, supRaw, adminRaw string) {
		t.Helper()
		marker++
		MustPublish(t, bus, e)
		MustPublish(t, bus, markerEvent(marker))
		return rawUntilMarker(t, ana, marker), rawUntilMarker(t, sue, marker), rawUntilMarker(t, root, marker)
	}

	for name, e := range contactEvents() {
		t.Run(name+": an agent gets it masked, a supervisor in full", func(t *testing.T) {
			agentRaw, supRaw, adminRaw := receive(t, e)
			if agentRaw == "" || leaks(agentRaw) {
				t.Errorf("agent received %s; want the event with e-mail and phone masked", agentRaw)
			}
			if !strings.Contains(agentRaw, identity.MaskEmail(secretEmail)) || !strings.Contains(agentRaw, identity.MaskPhone(secretPhone)) {
				t.Errorf("agent's frame lacks the masked details: %s", agentRaw)
			}
			if !strings.Contains(supRaw, secretEmail) || !strings.Contains(supRaw, secretPhone) {
				t.Errorf("supervisor received %s; want the details in full", supRaw)
			}
			if !strings.Contains(adminRaw, secretEmail) {
				t.Errorf("admin received %s; want the details in full", adminRaw)
			}
		})
	}
	if e := contactEvents()["contact.updated"]; e.Contact.Email != secretEmail {
		t.Fatalf("masking changed the shared event")
	}

	t.Run("a policy change reaches the sockets once refreshed", func(t *testing.T) {
		policy.set(identity.FieldPolicy{UnmaskedRoles: []parley.Role{parley.RoleAgent}}, nil)
		if err := node.Hub.RefreshFieldPolicy(context.Background()); err != nil {
			t.Fatal(err)
		}
		agentRaw, supRaw, adminRaw := receive(t, contactEvents()["contact.updated"])
		if !strings.Contains(agentRaw, secretEmail) {
			t.Errorf("agent role now unmasked, but agent received %s", agentRaw)
		}
		if leaks(supRaw) {
			t.Errorf("supervisor role no longer unmasked, but received %s", supRaw)
		}
		if !strings.Contains(adminRaw, secretPhone) {
			t.Errorf("admins always see details; got %s", adminRaw)
		}
	})

	t.Run("a failed reload keeps the previous policy", func(t *testing.T) {
		policy.set(identity.FieldPolicy{}, errors.New("database down"))
		if err := node.Hub.RefreshFieldPolicy(context.Background()); err == nil {
			t.Fatal("RefreshFieldPolicy succeeded with the store failing")
		}
		agentRaw, _, _ := receive(t, contactEvents()["contact.updated"])
		if !strings.Contains(agentRaw, secretEmail) {
			t.Errorf("agent lost the rights of the last good policy: %s", agentRaw)
		}
	})
}

func TestUnloadablePolicyMasksForAllButAdmins(t *testing.T) {
	policy := &policyStore{err: errors.New("database down")}
	bus := newMemBus()
	dir := newAgentDirectory(agent(3, "Sue", parley.RoleSupervisor), agent(4, "Root", parley.RoleAdmin))
	node := MustStartNode(t, bus, bus, dir, func(c *realtime.Config) { c.FieldPolicy = policy; c.PolicyRefresh = time.Hour })
	sue, root := MustDial(t, node, 3), MustDial(t, node, 4)
	MustPublish(t, bus, contactEvents()["contact.updated"])
	MustPublish(t, bus, markerEvent(1))
	if raw := rawUntilMarker(t, sue, 1); leaks(raw) || raw == "" {
		t.Errorf("without a policy a supervisor received %s; want it masked", raw)
	}
	if raw := rawUntilMarker(t, root, 1); !strings.Contains(raw, secretEmail) {
		t.Errorf("admin received %s; want it in full", raw)
	}
}

// TestMailAddressesInMessageEventsFollowTheFieldPolicy: the other people
// on a customer's mail (Cc, Reply-To, kept in the message's metadata) are
// masked like the customer, though the event carries no contact.
func TestMailAddressesInMessageEventsFollowTheFieldPolicy(t *testing.T) {
	const cc, replyTo = "bo.berg@example.com, cy.chen@example.org", "ana.private@example.net"
	policy := &policyStore{policy: identity.DefaultFieldPolicy()}
	bus := newMemBus()
	dir := newAgentDirectory(agent(1, "Ana", parley.RoleAgent), agent(3, "Sue", parley.RoleSupervisor))
	node := MustStartNode(t, bus, bus, dir, func(c *realtime.Config) { c.FieldPolicy = policy; c.PolicyRefresh = time.Hour })
	ana, sue := MustDial(t, node, 1), MustDial(t, node, 3)
	e := &parley.Event{Type: parley.EventMessageCreated, At: time.Now(),
		Message: &parley.Message{ID: 9, ConversationID: 500, Body: "hello", Platform: parley.PlatformEmail,
			Metadata: map[string]string{"email_cc": cc, "email_reply_to": replyTo, "email_references": "m1@customer.example"}},
		Conversation: &parley.Conversation{ID: 500, Status: parley.StatusOpen, ContactID: 7}}
	MustPublish(t, bus, e)
	MustPublish(t, bus, markerEvent(1))

	agentRaw, supRaw := rawUntilMarker(t, ana, 1), rawUntilMarker(t, sue, 1)
	if strings.Contains(agentRaw, "bo.berg@") || strings.Contains(agentRaw, "cy.chen@") || strings.Contains(agentRaw, "ana.private@") {
		t.Errorf("agent received the addresses: %s", agentRaw)
	}
	if !strings.Contains(agentRaw, `"b***@example.com, c***@example.org"`) || !strings.Contains(agentRaw, `"a***@example.net"`) ||
		!strings.Contains(agentRaw, "m1@customer.example") {
		t.Errorf("agent's frame lacks the masked message: %s", agentRaw)
	}
	if !strings.Contains(supRaw, cc) || !strings.Contains(supRaw, replyTo) {
		t.Errorf("supervisor received %s; want the addresses in full", supRaw)
	}
	if e.Message.Metadata["email_cc"] != cc {
		t.Fatal("masking changed the shared event")
	}
}
