package widget

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// ConfigOfflineEmail names the e-mail channel (its id) that carries agents'
// replies to visitors who have left the page, when they left an address.
const ConfigOfflineEmail = "offline_email_channel_id"

// Visitor presence timings: a socket re-announces itself every
// presenceEvery; a node that stops announcing is forgotten after
// presenceTTL (a little over the realtime hub's 30 s viewing TTL).
const (
	presenceEvery = 20 * time.Second
	presenceTTL   = 45 * time.Second
)

// visitorsOnline remembers which visitors have a socket open on any node,
// from the viewing notices every node's sockets publish.
type visitorsOnline struct {
	mu    sync.Mutex
	nodes map[int64]map[string]time.Time // contact → node → expiry
}

func (o *visitorsOnline) apply(p *parley.PresenceInfo, now time.Time) {
	contact := -p.AgentID
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.nodes == nil {
		o.nodes = map[int64]map[string]time.Time{}
	}
	if p.Activity == parley.ActivityLeft {
		delete(o.nodes[contact], p.Node)
		if len(o.nodes[contact]) == 0 {
			delete(o.nodes, contact)
		}
		return
	}
	if o.nodes[contact] == nil {
		o.nodes[contact] = map[string]time.Time{}
	}
	o.nodes[contact][p.Node] = now.Add(presenceTTL)
	for c, byNode := range o.nodes { // forget nodes that went silent
		for n, until := range byNode {
			if now.After(until) {
				delete(byNode, n)
			}
		}
		if len(byNode) == 0 {
			delete(o.nodes, c)
		}
	}
}

func (o *visitorsOnline) online(contactID int64, now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, until := range o.nodes[contactID] {
		if now.Before(until) {
			return true
		}
	}
	return false
}

// VisitorOnline reports whether the contact has the widget open on any node.
func (h *Handler) VisitorOnline(contactID, channelID int64) bool {
	return len(h.sockets.ofContact(contactID, channelID)) > 0 || h.online.online(contactID, time.Now())
}

// NewAdapter is the widget's parley.AdapterFactory when the handler runs on
// this node: like New, and replies to a visitor who has left the page go
// out by e-mail through the channel's offline e-mail channel, when one is
// configured and the visitor left an address. Register it instead of New:
//
//	registry.Register(parley.PlatformWidget, h.NewAdapter)
func (h *Handler) NewAdapter(ch *parley.Channel) (parley.Adapter, error) {
	a, err := New(ch)
	if err != nil {
		return nil, err
	}
	wa := a.(*Adapter)
	wa.offline = h
	return wa, nil
}

// sendOffline e-mails a reply to a visitor who is not on the page. It
// returns handled=false when the reply should simply wait in the widget
// (visitor online, no e-mail channel or address, or mail refused for good).
func (h *Handler) sendOffline(ctx context.Context, m parley.OutboundMessage) (res parley.SendResult, handled bool, err error) {
	id, _ := strconv.ParseInt(m.Channel.Config[ConfigOfflineEmail], 10, 64)
	if id == 0 || m.Contact == nil || h.cfg.Adapters == nil || h.VisitorOnline(m.Contact.ID, m.Channel.ID) {
		return res, false, nil
	}
	to := emailOf(m.Contact)
	if to == nil {
		return res, false, nil
	}
	mailCh, err := h.cfg.Store.FindChannelByID(ctx, id)
	if err != nil || mailCh.Platform != parley.PlatformEmail || mailCh.Status != parley.ChannelActive {
		h.log.Warn("offline e-mail channel unusable; the reply waits in the widget", "widget_channel_id", m.Channel.ID, "email_channel_id", id, "err", err)
		return res, false, nil
	}
	mailer, err := h.cfg.Adapters.Adapter(mailCh)
	if err != nil {
		return res, false, nil
	}
	res, err = mailer.Send(ctx, parley.OutboundMessage{Channel: mailCh, Conversation: m.Conversation, Contact: m.Contact, Recipient: to, Message: m.Message})
	if se, ok := err.(*parley.SendError); ok && se.Class == parley.SendPermanent {
		// A refused address or an attachment mail cannot carry: the reply
		// still reaches the visitor in the widget when they come back.
		h.log.Info("offline e-mail refused; the reply waits in the widget", "message_id", m.Message.ID, "reason", se.Reason)
		return parley.SendResult{}, false, nil
	}
	return res, true, err
}

// emailOf picks the contact's address: a verified identity first, then an
// unverified one, then the contact's e-mail field.
func emailOf(c *parley.Contact) *parley.Identity {
	var best *parley.Identity
	for _, id := range c.Identities {
		if id.Kind == parley.IdentityEmail && (best == nil || (id.Verified && !best.Verified)) {
			best = id
		}
	}
	if best == nil && c.Email != "" {
		best = &parley.Identity{Kind: parley.IdentityEmail, Value: c.Email, ContactID: c.ID}
	}
	return best
}

// announceLoop keeps the visitor shown as viewing their ticket, on every
// node and to the agents in it, while the socket lives.
func (s *socket) announceLoop(ctx context.Context) {
	t := time.NewTicker(presenceEvery)
	defer t.Stop()
	var shown int64
	for {
		select {
		case <-ctx.Done():
			s.publishActivity(shown, parley.ActivityLeft)
			return
		case <-s.kicked:
			s.publishActivity(shown, parley.ActivityLeft)
			return
		case <-s.announce:
		case <-t.C:
		}
		if conv := s.h.sockets.latest(s); conv != 0 {
			if shown != 0 && shown != conv {
				s.publishActivity(shown, parley.ActivityLeft)
			}
			shown = conv
			s.publishActivity(conv, parley.ActivityViewing)
		}
	}
}

// announceSoon asks announceLoop to publish now (a new ticket appeared).
func (s *socket) announceSoon() {
	select {
	case s.announce <- struct{}{}:
	default:
	}
}

func (s *socket) publishActivity(conv int64, a parley.Activity) {
	if conv == 0 || s.h.cfg.Presence == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.h.life), writeTimeout)
	defer cancel()
	err := s.h.cfg.Presence.PublishPresence(ctx, &parley.PresenceInfo{
		AgentID: visitorAgentID(s.visitor.ContactID), AgentName: s.name, ConversationID: conv, Activity: a, Node: s.h.node,
	})
	if err != nil {
		s.h.log.Debug("cannot share visitor presence", "err", err)
	}
}
