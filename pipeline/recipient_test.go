package pipeline_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/pipeline"
)

func TestRecipient(t *testing.T) {
	wa := &parley.Channel{ID: 7, Platform: parley.PlatformWhatsApp}
	scoped := &parley.Identity{Kind: parley.IdentityMessenger, ScopeChannelID: 3, Value: "psid"}
	phone := &parley.Identity{Kind: parley.IdentityPhone, Value: "+4915112345678", Verified: true}
	email := &parley.Identity{Kind: parley.IdentityEmail, Value: "ana@example.com"}
	tests := []struct {
		name string
		ch   *parley.Channel
		ids  []*parley.Identity
		want *parley.Identity
	}{
		{"an identity scoped to the channel wins", &parley.Channel{ID: 3, Platform: parley.PlatformMessenger}, []*parley.Identity{phone, scoped}, scoped},
		{"whatsapp reaches a phone number", wa, []*parley.Identity{email, scoped, phone}, phone},
		{"mail reaches an e-mail address", &parley.Channel{ID: 9, Platform: parley.PlatformEmail}, []*parley.Identity{phone, email}, email},
		{"a page-scoped id of another page is no recipient", &parley.Channel{ID: 4, Platform: parley.PlatformMessenger}, []*parley.Identity{scoped, phone}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pipeline.Recipient(&parley.Contact{Identities: tt.ids}, tt.ch); got != tt.want {
				t.Fatalf("Recipient = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSenderRateLimit(t *testing.T) {
	t.Run("a channel's sends are spaced to its configured rate", func(t *testing.T) {
		st := MustOpenStore(t)
		ch := &parley.Channel{Platform: parley.PlatformAPI, Name: "slow", Status: parley.ChannelActive,
			Config: map[string]string{"rate_per_second": "5"}}
		if err := st.CreateChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
		conv := MustConversation(t, st, ch, "cust-1")
		adapter := &scriptedAdapter{}
		sender := &pipeline.Sender{Store: st, Adapters: registry(adapter)}
		var wg sync.WaitGroup
		for range 8 {
			id := MustQueueReply(t, st, conv, "x").ID
			wg.Go(func() {
				if err := sender.Handle(t.Context(), id, 0); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		first, last := adapter.sends[0].at, adapter.sends[0].at
		for _, s := range adapter.sends {
			first, last = minTime(first, s.at), maxTime(last, s.at)
		}
		// A burst of 5, then 3 more at 5/s: at least 0.6 s.
		if span := last.Sub(first); span < 500*time.Millisecond {
			t.Fatalf("8 sends at 5/s took %v", span)
		}
	})
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
