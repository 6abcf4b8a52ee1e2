package meta_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/meta"
)

func TestRegisterBuildsEachPlatform(t *testing.T) {
	r := channel.NewRegistry()
	meta.Register(r)
	configs := map[parley.Platform]map[string]string{
		parley.PlatformMessenger:        {"page_id": "1"},
		parley.PlatformFacebookComments: {"page_id": "1"},
		parley.PlatformInstagram:        {"ig_account_id": "2"},
		parley.PlatformWhatsApp:         {"phone_number_id": "3", "waba_id": "4"},
	}
	id := int64(0)
	for p, cfg := range configs {
		id++
		a, err := r.Adapter(&parley.Channel{ID: id, Platform: p, Config: cfg})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if a.Platform() != p {
			t.Fatalf("%s built a %s adapter", p, a.Platform())
		}
		if _, ok := a.(parley.Handshaker); !ok {
			t.Fatalf("%s adapter does not answer Meta's handshake", p)
		}
	}
	if _, err := r.Adapter(&parley.Channel{ID: 99, Platform: parley.PlatformWhatsApp, Config: map[string]string{"page_id": "1"}}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("missing phone_number_id: err = %v", err)
	}
}
