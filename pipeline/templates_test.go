package pipeline_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/pipeline"
)

// templateAdapter is an adapter whose account has templates.
type templateAdapter struct {
	parley.Adapter
	list []*parley.Template
	err  error
}

func (a templateAdapter) Templates(context.Context) ([]*parley.Template, error) { return a.list, a.err }

func TestTemplateSyncerSyncsActiveChannelsWithTemplates(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	mk := func(name string, status parley.ChannelStatus) *parley.Channel {
		ch := &parley.Channel{Platform: parley.PlatformWhatsApp, Name: name, Status: status, Config: map[string]string{"phone_number_id": name}}
		if err := st.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
		return ch
	}
	good, broken, off := mk("good", parley.ChannelActive), mk("broken", parley.ChannelActive), mk("off", parley.ChannelDisabled)
	api := MustCreateChannel(t, st)
	reg := channel.NewRegistry()
	reg.Register(parley.PlatformWhatsApp, func(ch *parley.Channel) (parley.Adapter, error) {
		if ch.Name == "broken" {
			return templateAdapter{err: errors.New("graph down")}, nil
		}
		return templateAdapter{list: []*parley.Template{{Name: "hello", Language: "en_US", Status: parley.TemplateApproved}}}, nil
	})
	s := &pipeline.TemplateSyncer{Store: st, Adapters: reg}
	if n := s.SyncAll(ctx); n != 1 {
		t.Fatalf("synced %d channels, want 1", n)
	}
	for ch, want := range map[*parley.Channel]bool{good: true, broken: false, off: false, api: false} {
		list, synced, err := st.FindTemplates(ctx, ch.ID)
		if err != nil || (synced != nil) != want || want && len(list) != 1 {
			t.Errorf("%s: synced %v, %d templates, %v", ch.Name, synced, len(list), err)
		}
	}
}

type recordingExpiry struct{ before time.Time }

func (r *recordingExpiry) ExpirePendingReceipts(_ context.Context, before time.Time) (int, error) {
	r.before = before
	return 3, nil
}

func TestReceiptExpirerDropsWhatIsADayOld(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	st := &recordingExpiry{}
	n, err := (&pipeline.ReceiptExpirer{Store: st, Clock: fixedClock{now}}).Expire(context.Background())
	if err != nil || n != 3 || !st.before.Equal(now.Add(-24*time.Hour)) {
		t.Fatalf("expired %d before %v, %v", n, st.before, err)
	}
}

func TestSenderRefusesWhatThePolicyRefuses(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	ch := MustCreateChannel(t, st)
	conv := MustConversation(t, st, ch, "cust-1")
	if err := st.ReplaceTemplates(ctx, ch.ID, []*parley.Template{
		{Name: "promo", Language: "en_US", Category: parley.TemplateMarketing, Status: parley.TemplateApproved, Body: "Hi {{1}}", Params: 1},
	}); err != nil {
		t.Fatal(err)
	}
	adapter := &scriptedAdapter{}
	sender := &pipeline.Sender{Store: st, Adapters: registry(adapter)}
	// Queued while the contact had consent; revoked before the send.
	m := &parley.Message{ConversationID: conv.ID, Direction: parley.DirectionOut, Kind: parley.KindTemplate, Body: "promo",
		Metadata: map[string]string{"template_name": "promo", "template_params": `["Ana"]`}}
	if err := st.CreateMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := sender.Handle(ctx, m.ID, 0); err != nil {
		t.Fatal(err)
	}
	got := MustMessage(t, st, m.ID)
	if got.Status != parley.MessageFailed || got.FailureCode != pipeline.RefusedNoMarketingConsent || got.FailureReason == "" {
		t.Fatalf("message %s %q %q", got.Status, got.FailureCode, got.FailureReason)
	}
	if len(adapter.sendsOf(m.ID)) != 0 {
		t.Fatal("the refused template reached the platform")
	}
}
