package widget_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
)

// An agent merges a visitor's contact into the customer's known contact:
// the visitor's stored token names the merged-away contact, and the store
// finds the identity's new owner, so the visitor carries on as the survivor.
func TestVisitorContinuesAfterMerge(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	ctx := context.Background()
	s := e.MustSession(t, e.Channel, map[string]any{"name": "Lea"})
	visitor := mustVisitorContact(t, e, e.Channel, s.Token, "merge-001")
	known := &parley.Contact{Name: "Lea Müller", Email: "lea@example.com"}
	if err := e.Store.CreateContact(ctx, known); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.MergeContacts(ctx, known.ID, visitor.ID, e.Agent.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("the session resumes as the surviving contact", func(t *testing.T) {
		again := e.MustSession(t, e.Channel, map[string]any{"token": s.Token})
		if again.Visitor.Name != known.Name {
			t.Fatalf("resumed visitor %+v; want the survivor %q", again.Visitor, known.Name)
		}
		if c := mustVisitorContact(t, e, e.Channel, again.Token, "merge-002"); c.ID != known.ID {
			t.Errorf("resumed session speaks for contact %d, want the survivor %d", c.ID, known.ID)
		}
	})
	t.Run("the old token on the socket also reaches the survivor", func(t *testing.T) {
		if c := mustVisitorContact(t, e, e.Channel, s.Token, "merge-003"); c.ID != known.ID {
			t.Errorf("old token speaks for contact %d, want the survivor %d", c.ID, known.ID)
		}
	})
}
