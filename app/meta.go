package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net"
	"strconv"
	"time"

	"github.com/parleyhq/parley/demo"
	"github.com/parleyhq/parley/httpapi"
)

// metaConnect is the Meta app of this installation for the connect
// endpoints. The OAuth state key derives from the secret key, which every
// node shares, so a dialog started on one node can finish on another.
func (a *App) metaConnect() *httpapi.MetaConnect {
	c := a.Config
	m := &httpapi.MetaConnect{AppID: c.MetaAppID, AppSecret: c.MetaAppSecret, LoginConfigID: c.MetaLoginConfigID,
		WhatsAppConfigID: c.MetaWhatsAppConfigID, GraphVersion: c.MetaGraphVersion, PublicURL: c.PublicURL,
		WebhookVerifyToken: c.MetaWebhookVerifyToken, InstagramAppID: c.MetaInstagramAppID, InstagramAppSecret: c.MetaInstagramAppSecret}
	if key, err := c.secretKey(); err == nil {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte("parley meta connect state"))
		m.StateKey = mac.Sum(nil)
	}
	return m
}

// startDemo runs demo mode against this node's own listener.
func (a *App) startDemo(ctx context.Context) error {
	d, err := demo.Start(ctx, demo.Config{BaseURL: loopbackURL(a.listener.Addr()), Store: a.Store, Logger: a.Logger})
	if err != nil {
		return err
	}
	a.demo = d
	return nil
}

// loopbackURL is how this process reaches its own listener: a listener on
// all interfaces is reached on 127.0.0.1.
func loopbackURL(addr net.Addr) string {
	host := "127.0.0.1"
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	if !tcp.IP.IsUnspecified() {
		host = tcp.IP.String()
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// instagramRefreshInterval is how often Instagram Login tokens near their
// expiry are refreshed.
const instagramRefreshInterval = 6 * time.Hour

// refreshInstagramTokens keeps Instagram Login channels' 60-day tokens
// alive until ctx is done. Every node may run it: a token refreshed twice
// is still a valid token.
func (a *App) refreshInstagramTokens(ctx context.Context) {
	m := a.metaConnect()
	t := time.NewTicker(instagramRefreshInterval)
	defer t.Stop()
	for {
		if n, err := m.RefreshInstagramTokens(ctx, a.Store, time.Now().UTC(), a.Logger); err != nil && ctx.Err() == nil {
			a.Logger.Warn("refreshing Instagram tokens", "err", err)
		} else if n > 0 {
			a.Logger.Info("refreshed Instagram tokens", "channels", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
