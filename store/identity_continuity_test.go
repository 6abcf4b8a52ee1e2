package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

func TestContinuityAcrossChannels(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		// Ana writes on WhatsApp, then by e-mail from the address WhatsApp
		// does not know, then by SMS: the SMS number is her verified phone.
		setup := func(t *testing.T, mode string) (*store.Store, parley.IngestResult, *parley.Channel) {
			st := open(t)
			wa := MustChannel(t, st, parley.PlatformWhatsApp, nil)
			sms := MustChannel(t, st, parley.PlatformSMS, map[string]string{"default_region": "DE", "continuity": mode})
			first := MustIngestOne(t, st, inbound(wa, parley.IdentityWhatsApp, "4915112345678", true))
			return st, first, sms
		}
		t.Run("join: the new channel's message lands in the open ticket, with its own channel mark", func(t *testing.T) {
			st, first, sms := setup(t, "join")
			got := MustIngestOne(t, st, inbound(sms, parley.IdentityPhone, "0151 12345678", true))
			if got.Contact.ID != first.Contact.ID || got.Conversation.ID != first.Conversation.ID || got.ConversationCreated {
				t.Fatalf("joined %+v, want ticket %d", got.Conversation, first.Conversation.ID)
			}
			if got.Message.ChannelID != sms.ID || got.Message.Platform != parley.PlatformSMS {
				t.Fatalf("message lost its channel: %+v", got.Message)
			}
			again := MustIngestOne(t, st, inbound(sms, parley.IdentityPhone, "+4915112345678", true))
			if again.Conversation.ID != first.Conversation.ID {
				t.Fatalf("the next SMS went to ticket %d", again.Conversation.ID)
			}
			v, err := st.Contact360(ctx, first.Contact.ID)
			if err != nil || len(v.Timeline) != 3 || v.Timeline[0].Platform != parley.PlatformWhatsApp || v.Timeline[2].Platform != parley.PlatformSMS {
				t.Fatalf("timeline: %+v, %v", v.Timeline, err)
			}
		})
		t.Run("link: a new ticket linked to the open one", func(t *testing.T) {
			st, first, sms := setup(t, "link")
			got := MustIngestOne(t, st, inbound(sms, parley.IdentityPhone, "0151 12345678", true))
			if !got.ConversationCreated || got.Conversation.ID == first.Conversation.ID {
				t.Fatalf("link mode joined: %+v", got.Conversation)
			}
			links, err := st.FindConversationLinks(ctx, first.Conversation.ID)
			if err != nil || len(links) != 1 || links[0].ConversationID != got.Conversation.ID || links[0].Reason != identity.LinkContinuity {
				t.Fatalf("links: %+v, %v", links, err)
			}
		})
		t.Run("off: a separate ticket, unlinked", func(t *testing.T) {
			st, first, sms := setup(t, "off")
			got := MustIngestOne(t, st, inbound(sms, parley.IdentityPhone, "0151 12345678", true))
			links, _ := st.FindConversationLinks(ctx, got.Conversation.ID)
			if got.Conversation.ID == first.Conversation.ID || len(links) != 0 {
				t.Fatalf("off mode: ticket %d, links %+v", got.Conversation.ID, links)
			}
		})
		t.Run("a repeat contact within the window is linked and counted", func(t *testing.T) {
			st := open(t)
			clock := &stepClock{at: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
			st.Clock = clock
			mail := MustChannel(t, st, parley.PlatformEmail, map[string]string{"repeat_window_days": "3"})
			visit := func(subject string) parley.IngestResult {
				ev := inbound(mail, parley.IdentityEmail, "ana@example.com", true)
				ev.ThreadKey, ev.Subject = subject, subject
				res := MustIngestOne(t, st, ev)
				status := parley.StatusClosed
				if _, err := st.UpdateConversation(ctx, res.Conversation.ID, parley.ConversationUpdate{Status: &status, Version: res.Conversation.Version}); err != nil {
					t.Fatal(err)
				}
				return res
			}
			visit("refund")
			clock.at = clock.at.Add(48 * time.Hour)
			second := visit("refund again")
			clock.at = clock.at.Add(10 * 24 * time.Hour)
			visit("much later")
			v, err := st.Contact360(ctx, second.Contact.ID)
			if err != nil || v.RepeatCount != 1 || len(v.Conversations) != 3 {
				t.Fatalf("repeat count %d of %d tickets (%v), links %+v", v.RepeatCount, len(v.Conversations), err, v.Links)
			}
		})
	})
}

// Two nodes (two stores, separate connections) receive the first messages
// of the same new customer at once, on different channels and in different
// number formats: one contact must come out, never two.
func TestNewCustomerOnTwoChannelsAtOnceIsOneContact(t *testing.T) {
	onBothEngineDSNs(t, func(t *testing.T, newDSN func(tb testing.TB) string) {
		for round := range 6 {
			dsn := newDSN(t)
			a, b := storetest.MustOpenDSN(t, dsn), storetest.MustOpenDSN(t, dsn)
			wa := MustChannel(t, a, parley.PlatformWhatsApp, nil)
			sms := MustChannel(t, a, parley.PlatformSMS, map[string]string{"default_region": "DE", "continuity": "link"})
			number := "49151" + string(rune('1'+round)) + "2345678"
			events := []*parley.InboundEvent{
				inbound(wa, parley.IdentityWhatsApp, number, true),
				inbound(sms, parley.IdentityPhone, "0151 "+string(rune('1'+round))+"2345678", true),
			}
			var wg sync.WaitGroup
			results := make([]parley.IngestResult, 2)
			for i, st := range []*store.Store{a, b} {
				wg.Go(func() {
					res, err := st.Ingest(context.Background(), []*parley.InboundEvent{events[i]})
					if err != nil {
						t.Error(err)
						return
					}
					results[i] = res[0]
				})
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			if n := countRows(t, a, `SELECT COUNT(*) FROM contacts`); n != 1 {
				t.Fatalf("round %d: %d contacts (results %d, %d)", round, n, results[0].Contact.ID, results[1].Contact.ID)
			}
			if results[0].Contact.ID != results[1].Contact.ID {
				t.Fatalf("round %d: results name contacts %d and %d", round, results[0].Contact.ID, results[1].Contact.ID)
			}
			if n := countRows(t, a, `SELECT COUNT(*) FROM conversations WHERE contact_id = $1`, results[0].Contact.ID); n != 2 {
				t.Fatalf("round %d: %d tickets on the contact", round, n)
			}
		}
	})
}
