package demo

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
)

var channelNames = map[parley.Platform]string{
	parley.PlatformMessenger:        "Demo shop · Messenger",
	parley.PlatformFacebookComments: "Demo shop · Page comments",
	parley.PlatformInstagram:        "Demo shop · Instagram",
	parley.PlatformWhatsApp:         "Demo shop · WhatsApp",
}

// connect creates the demo channels, or points existing ones at this
// run's fake (its address and secret change with every start), and tells
// the fake where each account's webhooks go.
func (d *Demo) connect(ctx context.Context) error {
	existing, err := d.cfg.Store.FindChannels(ctx)
	if err != nil {
		return fmt.Errorf("demo: listing channels: %w", err)
	}
	for _, p := range demoPlatforms {
		config, secrets := d.fake.Channel(d.accounts, p)
		config[ConfigKey] = "true"
		ch, err := d.upsert(ctx, existing, p, config, secrets)
		if err != nil {
			return fmt.Errorf("demo: connecting the %s channel: %w", p, err)
		}
		d.channels[p] = ch
	}
	d.fake.SetWebhookURL(d.accounts.PageID, d.hook(parley.PlatformMessenger), d.hook(parley.PlatformFacebookComments))
	d.fake.SetWebhookURL(d.accounts.InstagramID, d.hook(parley.PlatformInstagram))
	d.fake.SetWebhookURL(d.accounts.PhoneNumberID, d.hook(parley.PlatformWhatsApp))
	return nil
}

func (d *Demo) upsert(ctx context.Context, existing []*parley.Channel, p parley.Platform, config, secrets map[string]string) (*parley.Channel, error) {
	for _, ch := range existing {
		if ch.Platform != p || ch.Config[ConfigKey] != "true" {
			continue
		}
		active := parley.ChannelActive
		none := ""
		upd := parley.ChannelUpdate{Status: &active, StatusReason: &none, Config: map[string]*string{}, Secrets: map[string]*string{}}
		for k, v := range config {
			upd.Config[k] = &v
		}
		for k, v := range secrets {
			upd.Secrets[k] = &v
		}
		return d.cfg.Store.UpdateChannel(ctx, ch.ID, upd)
	}
	ch := &parley.Channel{Platform: p, Name: channelNames[p], Status: parley.ChannelActive, Config: config, Secrets: secrets}
	if err := d.cfg.Store.CreateChannel(ctx, ch); err != nil {
		return nil, err
	}
	return ch, nil
}

func (d *Demo) hook(p parley.Platform) string {
	return fmt.Sprintf("%s/hooks/%s/%d", d.cfg.BaseURL, p, d.channels[p].ID)
}
