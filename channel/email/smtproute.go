package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
)

// Router lets one SMTPReceiver serve many e-mail channels: it decides at
// RCPT time whether a recipient belongs to any of them, and after DATA
// hands the mail to each channel it was addressed to.
type Router interface {
	// Accept reports whether mail for rcpt is taken. An error (the channel
	// list cannot be read) makes the receiver answer 451, not 550, so a
	// passing database outage never bounces mail.
	Accept(ctx context.Context, rcpt string) (bool, error)
	// DeliverMail hands the mail to the channels of its accepted
	// recipients and returns only when every one of them took it.
	DeliverMail(ctx context.Context, rcpts []string, raw []byte) error
}

// Mailbox is one e-mail channel as the SMTP endpoint sees it: the
// addresses it receives mail for and where that mail goes.
type Mailbox struct {
	ChannelID int64
	// Address is the channel's own address (from_address).
	Address string
	// Aliases are further addresses mail reaches it by, typically the
	// address a mail provider forwards to (inbound_addresses). Several
	// channels may share one alias: the original recipient headers of a
	// forwarded mail then pick the channel.
	Aliases []string
	Deliver DeliverFunc
}

// Routes maps recipient addresses to mailboxes. It is immutable once
// built, so a receiver can swap in a new one while sessions use the old.
type Routes struct {
	byAddress map[string][]*Mailbox
	byOwn     map[string]*Mailbox
}

// NewRoutes indexes mailboxes by their addresses. Mailboxes are tried in
// channel id order when a shared alias cannot be resolved.
func NewRoutes(boxes []*Mailbox) *Routes {
	sorted := append([]*Mailbox(nil), boxes...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ChannelID < sorted[j].ChannelID })
	r := &Routes{byAddress: map[string][]*Mailbox{}, byOwn: map[string]*Mailbox{}}
	for _, b := range sorted {
		own := FoldAddress(b.Address)
		r.byOwn[own] = b
		for _, a := range append([]string{own}, b.Aliases...) {
			a = FoldAddress(a)
			if a != "" && !containsMailbox(r.byAddress[a], b) {
				r.byAddress[a] = append(r.byAddress[a], b)
			}
		}
	}
	return r
}

func containsMailbox(list []*Mailbox, b *Mailbox) bool {
	for _, x := range list {
		if x == b {
			return true
		}
	}
	return false
}

// baseAddress drops angle brackets and a +tag: support+t…@example.com is
// delivered like support@example.com.
func baseAddress(addr string) string {
	local, domain, ok := strings.Cut(FoldAddress(strings.Trim(strings.TrimSpace(addr), "<>")), "@")
	if !ok {
		return ""
	}
	base, _, _ := strings.Cut(local, "+")
	return base + "@" + domain
}

// Lookup returns the mailboxes mail for rcpt may belong to.
func (r *Routes) Lookup(rcpt string) []*Mailbox {
	return r.byAddress[baseAddress(rcpt)]
}

// Route groups accepted recipients by the mailbox that takes them. A
// recipient shared by several mailboxes (a forwarding target) goes to the
// one whose own address the mail's original recipient headers name
// (X-Original-To, Delivered-To, To, Cc, in that order), else to the first.
func (r *Routes) Route(rcpts []string, raw []byte) []*Mailbox {
	var out []*Mailbox
	var named []string
	for _, rc := range rcpts {
		boxes := r.Lookup(rc)
		if len(boxes) == 0 {
			continue
		}
		b := boxes[0]
		if len(boxes) > 1 {
			if named == nil {
				named = originalRecipients(raw)
			}
			b = r.pick(boxes, named)
		}
		if !containsMailbox(out, b) {
			out = append(out, b)
		}
	}
	return out
}

func (r *Routes) pick(boxes []*Mailbox, named []string) *Mailbox {
	for _, n := range named {
		if own := r.byOwn[baseAddress(n)]; own != nil && containsMailbox(boxes, own) {
			return own
		}
	}
	return boxes[0]
}

// originalRecipients lists the addresses a forwarded mail was first sent
// to, most telling first.
func originalRecipients(raw []byte) []string {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(append(raw[:end:end], "\r\n\r\n"...)))
	if err != nil {
		return []string{}
	}
	out := []string{}
	for _, key := range []string{"X-Original-To", "Delivered-To", "To", "Cc"} {
		for _, v := range msg.Header[key] {
			list, err := mail.ParseAddressList(v)
			if err != nil {
				continue
			}
			for _, a := range list {
				out = append(out, a.Address)
			}
		}
	}
	return out
}

// StaticRouter routes with a fixed Routes, for tests and single-process
// setups; Parley's node uses a router that follows its channels.
type StaticRouter struct{ Routes *Routes }

// Accept takes mail for any address of the routes.
func (s StaticRouter) Accept(_ context.Context, rcpt string) (bool, error) {
	return len(s.Routes.Lookup(rcpt)) > 0, nil
}

// DeliverMail delivers through the routes.
func (s StaticRouter) DeliverMail(ctx context.Context, rcpts []string, raw []byte) error {
	return DeliverRouted(ctx, s.Routes, rcpts, raw)
}

// DeliverRouted hands raw to every mailbox its recipients route to. One
// failure fails the whole mail: the sending server retries it, and the
// mailboxes that did take it drop the copy by its Message-ID.
func DeliverRouted(ctx context.Context, routes *Routes, rcpts []string, raw []byte) error {
	boxes := routes.Route(rcpts, raw)
	if len(boxes) == 0 {
		return errors.New("no mailbox takes any recipient of this mail")
	}
	var errs []error
	for _, b := range boxes {
		if err := b.Deliver(ctx, raw); err != nil {
			errs = append(errs, fmt.Errorf("channel %d: %w", b.ChannelID, err))
		}
	}
	return errors.Join(errs...)
}
