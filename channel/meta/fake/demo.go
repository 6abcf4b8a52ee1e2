package fake

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
)

// Demo names the accounts SetupDemo registers.
type Demo struct {
	AppSecret, VerifyToken string
	PageID, PageToken      string
	InstagramID, IGToken   string
	PhoneNumberID, WABAID  string
	WhatsAppToken          string
}

// SetupDemo registers a Page, an Instagram account and a WhatsApp number
// (with an approved "order_update" template taking two parameters) for a
// demo installation.
func (s *Server) SetupDemo() Demo {
	d := Demo{AppSecret: s.cfg.AppSecret, VerifyToken: "demo-verify", PageID: "100000000000001", PageToken: "demo-page-token",
		InstagramID: "17841400000000001", IGToken: "demo-page-token", PhoneNumberID: "100000000000002",
		WABAID: "100000000000003", WhatsAppToken: "demo-wa-token"}
	s.AddPage(d.PageID, d.PageToken)
	s.AddInstagram(d.InstagramID, d.IGToken)
	s.AddWhatsApp(d.PhoneNumberID, d.WABAID, d.WhatsAppToken)
	s.AddTemplate(d.PhoneNumberID, "order_update", "en_US", 2)
	return d
}

// Channel returns the configuration and secrets of a channel of platform p
// wired to this fake (graph_base_url = s.URL).
func (s *Server) Channel(d Demo, p parley.Platform) (config, secrets map[string]string) {
	config = map[string]string{"graph_base_url": s.URL}
	token := d.PageToken
	switch p {
	case parley.PlatformMessenger, parley.PlatformFacebookComments:
		config["page_id"] = d.PageID
	case parley.PlatformInstagram:
		config["ig_account_id"] = d.InstagramID
		token = d.IGToken
	case parley.PlatformWhatsApp:
		config["phone_number_id"], config["waba_id"] = d.PhoneNumberID, d.WABAID
		token = d.WhatsAppToken
	}
	return config, map[string]string{"app_secret": d.AppSecret, "verify_token": d.VerifyToken, "access_token": token}
}

// demoLines are what demo customers write, round robin.
var demoLines = []struct{ platform, user, name, text string }{
	{"messenger", "2470000000000001", "Ana Lima", "Hi! Has my order #1042 shipped yet?"},
	{"whatsapp", "351912345678", "Rui Costa", "Olá, preciso de ajuda com a minha encomenda"},
	{"instagram", "5410000000000001", "mei.lin", "这个还有货吗？"},
	{"comments", "7100000000000001", "Bo Chen", "Do you ship to Portugal?"},
	{"whatsapp", "818012345678", "Sato Yui", "注文した商品がまだ届きません"},
	{"messenger", "2470000000000002", "Lee Park", "Can I change my delivery address?"},
}

// PlayDemo sends one demo customer message every interval (signed, to
// each account's webhook URL) until ctx ends; it returns ctx's error or the
// first failed delivery.
func (s *Server) PlayDemo(ctx context.Context, d Demo, every time.Duration) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; ; i++ {
		l := demoLines[i%len(demoLines)]
		var err error
		switch l.platform {
		case "messenger":
			_, err = s.MessengerText(d.PageID, l.user, l.text)
		case "instagram":
			_, err = s.MessengerText(d.InstagramID, l.user, l.text)
		case "whatsapp":
			_, err = s.WhatsAppText(d.PhoneNumberID, l.user, l.name, l.text)
		case "comments":
			_, err = s.Comment(d.PageID, d.PageID+"_555", "", l.user, l.name, l.text)
		}
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
