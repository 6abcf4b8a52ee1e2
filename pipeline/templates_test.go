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
