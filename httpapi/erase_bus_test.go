package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bus"
	"github.com/parleyhq/parley/bus/bustest"
	"github.com/parleyhq/parley/httpapi"
)

// flakyPurger fails its first purge, as a bus that is briefly down would.
type flakyPurger struct {
	next  parley.ContactDataPurger
	calls atomic.Int32
}

func (p *flakyPurger) PurgeContactData(ctx context.Context, contactID int64) error {
	if p.calls.Add(1) == 1 {
		return errors.New("nats: no responders available for request")
	}
	return p.next.PurgeContactData(ctx, contactID)
}

// busPerson is a contact whose data reaches the event bus through the API.
type busPerson struct {
	name, email, phone, reply, note string
	conv                            *parley.Conversation
}

func (p *busPerson) pii() []string { return []string{p.name, p.email, p.phone, p.reply, p.note} }

func (p *busPerson) fill(t *testing.T, e *Env, token string) {
	t.Helper()
	rec := Do(t, e.Srv, Req{Method: "PATCH", Path: "/api/v1/contacts/" + itoa(p.conv.ContactID), Token: token,
		Body: map[string]string{"name": p.name, "email": p.email, "phone": p.phone}})
	if rec.Code != http.StatusOK {
		t.Fatalf("patch contact: %d %s", rec.Code, rec.Body)
	}
	for kind, body := range map[string]string{"text": p.reply, "note": p.note} {
		rec := Do(t, e.Srv, Req{Method: "POST", Path: "/api/v1/conversations/" + itoa(p.conv.ID) + "/messages", Token: token,
			Body: map[string]string{"kind": kind, "body": body}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("%s: %d %s", kind, rec.Code, rec.Body)
		}
	}
}

func TestErasurePurgesTheEventBus(t *testing.T) {
	url := bustest.MustRunServer(t)
	b := bustest.MustOpen(t, bus.Config{URL: url, NodeID: "erase", Prefix: bustest.UniquePrefix(t)})
	purger := &flakyPurger{next: b}
	e := MustEnv(t, func(c *httpapi.Config) { c.Events, c.ContactData = b, purger })
	admin := e.MustToken(t, e.MustAgent(t, "root@example.com", parley.RoleAdmin))
	gone := &busPerson{name: "Erika Mustermann", email: "erika@example.org", phone: "+4915112345678",
		reply: "we sent the refund to IBAN DE02120300000000202051", note: "she mentioned her diagnosis", conv: e.MustConversation(t, "cust-gone")}
	kept := &busPerson{name: "Kept Person", email: "kept@example.org", phone: "+4915187654321",
		reply: "your parcel left today", note: "asked twice already", conv: e.MustConversation(t, "cust-kept")}
	gone.fill(t, e, admin)
	kept.fill(t, e, admin)

	erase := Req{Method: "POST", Path: "/api/v1/contacts/" + itoa(gone.conv.ContactID) + "/erase", Token: admin, Body: map[string]bool{"confirm": true}}
	if rec := Do(t, e.Srv, erase); rec.Code != http.StatusServiceUnavailable || !bytes.Contains(rec.Body.Bytes(), []byte("event bus")) {
		t.Fatalf("erase with the bus down: %d %s, want 503 saying the bus still holds the events", rec.Code, rec.Body)
	}
	if rec := Do(t, e.Srv, erase); rec.Code != http.StatusOK {
		t.Fatalf("retried erase: %d %s", rec.Code, rec.Body)
	}

	all := bytes.Join(bustest.MustStoredMessages(t, url, b.StreamNames()), []byte{0})
	for _, s := range gone.pii() {
		if bytes.Contains(all, []byte(s)) {
			t.Errorf("the event bus still holds %q of the erased contact", s)
		}
	}
	for _, s := range kept.pii() {
		if !bytes.Contains(all, []byte(s)) {
			t.Errorf("the other contact's %q is gone from the event bus", s)
		}
	}

	got := make(chan *parley.Event, 10)
	if err := b.SubscribeEvents(t.Context(), func(ev *parley.Event) { got <- ev }); err != nil {
		t.Fatal(err)
	}
	kept.reply, kept.note = "after the erasure", "noted after the erasure"
	kept.fill(t, e, admin)
	for {
		select {
		case ev := <-got:
			if ev.Message != nil && ev.Message.Body == kept.reply {
				return
			}
		case <-time.After(15 * time.Second):
			t.Fatal("no event reached a subscriber after the erasure")
		}
	}
}
