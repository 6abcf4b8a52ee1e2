package bus_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
)

// personEvents are the events a contact's ticket produces, each carrying
// some of its personal data.
func personEvents(c *parley.Contact, body string) []*parley.Event {
	conv := &parley.Conversation{ID: c.ID * 10, ContactID: c.ID, Subject: body}
	contactID := c.ID
	return []*parley.Event{
		{Type: parley.EventContactUpdated, Contact: c},
		{Type: parley.EventConversationCreated, Conversation: conv},
		{Type: parley.EventMessageCreated, Conversation: conv, Message: &parley.Message{ID: c.ID * 100, ConversationID: conv.ID, ContactID: &contactID, Body: body}},
		{Type: parley.EventViewing, Presence: &parley.PresenceInfo{AgentID: -c.ID, AgentName: c.Name, ConversationID: conv.ID, Activity: parley.ActivityTyping}},
	}
}

func TestPurgeContactData(t *testing.T) {
	bustest.ForEachServer(t, func(t *testing.T, open bustest.Opener) {
		b := open(t, bus.Config{NodeID: "a"})
		ctx := t.Context()
		gone := &parley.Contact{ID: 41, Name: "Erika Mustermann", Email: "erika@example.org", Phone: "+4915112345678"}
		kept := &parley.Contact{ID: 42, Name: "Kept Person", Email: "kept@example.org", Phone: "+4915187654321"}
		goneBody, keptBody := "my passport number is X1234567", "please call me back"

		received := make(chan *parley.Event, 100)
		err := b.ConsumeEventsOf(ctx, "erase-test", []parley.EventType{parley.EventMessageCreated}, func(_ context.Context, e *parley.Event) error {
			received <- e
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.PublishEvents(ctx, append(personEvents(gone, goneBody), personEvents(kept, keptBody)...)); err != nil {
			t.Fatal(err)
		}
		for range 2 { // one message.created per contact
			waitEvent(t, received)
		}

		if err := b.PurgeContactData(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		if err := b.PurgeContactData(ctx, gone.ID); err != nil {
			t.Fatalf("purging again (a retried erasure): %v", err)
		}

		msgs, err := bustest.StoredMessages(ctx, bus.JetStream(b), b.StreamNames())
		if err != nil {
			t.Fatal(err)
		}
		all := bytes.Join(msgs, []byte{0})
		for _, pii := range []string{gone.Name, gone.Email, gone.Phone, goneBody} {
			if bytes.Contains(all, []byte(pii)) {
				t.Errorf("the bus still holds %q of the erased contact", pii)
			}
		}
		for _, kept := range []string{kept.Name, kept.Email, kept.Phone, keptBody} {
			if n := bytes.Count(all, []byte(kept)); n == 0 {
				t.Errorf("the other contact's %q is gone from the bus", kept)
			}
		}
		if len(msgs) != len(personEvents(kept, keptBody)) {
			t.Errorf("%d messages left on the bus, want the other contact's %d events", len(msgs), len(personEvents(kept, keptBody)))
		}

		if err := b.PublishEvents(ctx, personEvents(kept, "after the erasure")); err != nil {
			t.Fatal(err)
		}
		if e := waitEvent(t, received); e.Message == nil || e.Message.Body != "after the erasure" {
			t.Fatalf("after the purge the consumer received %+v", e)
		}
	})
}

func waitEvent(t *testing.T, ch <-chan *parley.Event) *parley.Event {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(15 * time.Second):
		t.Fatal("event not received")
		return nil
	}
}
