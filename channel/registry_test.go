package channel_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

type countingAdapter struct{ built int }

func (a *countingAdapter) Platform() parley.Platform                           { return parley.PlatformAPI }
func (a *countingAdapter) Capabilities() parley.Capabilities                   { return parley.Capabilities{} }
func (a *countingAdapter) VerifyWebhook(*http.Request, []byte) error           { return nil }
func (a *countingAdapter) ParseWebhook([]byte) ([]*parley.InboundEvent, error) { return nil, nil }
func (a *countingAdapter) Send(context.Context, parley.OutboundMessage) (parley.SendResult, error) {
	return parley.SendResult{}, nil
}

func TestRegistryRebuildsAdapterWhenChannelChanges(t *testing.T) {
	builds := 0
	r := channel.NewRegistry()
	r.Register(parley.PlatformAPI, func(ch *parley.Channel) (parley.Adapter, error) {
		builds++
		return &countingAdapter{built: builds}, nil
	})
	ch := &parley.Channel{ID: 1, Platform: parley.PlatformAPI, UpdatedAt: time.Unix(100, 0)}
	first, _ := r.Adapter(ch)
	again, _ := r.Adapter(ch)
	if first != again || builds != 1 {
		t.Fatalf("unchanged channel rebuilt: builds=%d", builds)
	}
	ch.UpdatedAt = time.Unix(200, 0)
	if third, _ := r.Adapter(ch); third == first || builds != 2 {
		t.Fatalf("changed channel not rebuilt: builds=%d", builds)
	}
}

func TestRegistryRefusesUnknownPlatform(t *testing.T) {
	_, err := channel.NewRegistry().Adapter(&parley.Channel{ID: 1, Platform: parley.PlatformSMS})
	if parley.ErrorCode(err) != parley.EUNSUPPORTED {
		t.Fatalf("err = %v", err)
	}
}
