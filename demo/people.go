package demo

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/fake"
)

// people plays the customers: one opens a conversation every Every, and
// each answers an agent's reply after ReplyDelay with their next line.
type people struct {
	d        *Demo
	mu       sync.Mutex
	answered map[*customer]int
	comments map[string]commentRef // comment id → who wrote it, on which post
	jobs     chan job              // answers to write when due
}

type commentRef struct {
	who    *customer
	postID string
}

// job is one thing a customer writes.
type job struct {
	who  *customer
	text string
	// inComments answers under this comment instead of in a direct message.
	inComments *commentRef
	parentID   string
	opening    bool
}

func newPeople(d *Demo) *people {
	return &people{d: d, answered: map[*customer]int{}, comments: map[string]commentRef{}, jobs: make(chan job, 64)}
}

// run opens a conversation at once and then every Every, and writes the
// answers as they fall due, until ctx ends.
func (p *people) run(ctx context.Context) {
	tick := time.NewTicker(p.d.cfg.Every)
	defer tick.Stop()
	for i := 0; ; i++ {
		c := &customers[i%len(customers)]
		p.mu.Lock()
		p.answered[c] = 0 // a new conversation: they have things to say again
		p.mu.Unlock()
		p.write(job{who: c, text: c.opening, opening: true})
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				waiting = false
			case j := <-p.jobs:
				p.write(j)
			}
		}
	}
}

// write posts what a customer says to Parley through the fake platform.
func (p *people) write(j job) {
	f, a := p.d.fake, p.d.accounts
	var err error
	switch {
	case j.inComments != nil:
		_, err = p.comment(j.who, j.inComments.postID, j.parentID, j.text)
	case j.opening && j.who.platform == parley.PlatformFacebookComments:
		_, err = p.comment(j.who, "", "", j.text)
	case j.who.platform == parley.PlatformMessenger || j.who.platform == parley.PlatformFacebookComments:
		_, err = f.MessengerText(a.PageID, j.who.id, j.text)
	case j.who.platform == parley.PlatformInstagram:
		_, err = f.MessengerText(a.InstagramID, j.who.id, j.text)
	case j.who.platform == parley.PlatformWhatsApp:
		_, err = f.WhatsAppText(a.PhoneNumberID, j.who.id, j.who.name, j.text)
	}
	if err != nil {
		p.d.log.Warn("demo customer could not write", "customer", j.who.name, "err", err)
	}
}

// comment writes a Page comment; an opening comment goes on the customer's
// own post so every comment customer gets their own thread.
func (p *people) comment(c *customer, postID, parentID, text string) (string, error) {
	if postID == "" {
		postID = p.d.accounts.PageID + "_" + c.id[len(c.id)-3:]
	}
	id, err := p.d.fake.Comment(p.d.accounts.PageID, postID, parentID, c.id, c.name, text)
	p.mu.Lock()
	p.comments[id] = commentRef{who: c, postID: postID}
	p.mu.Unlock()
	return id, err
}

// onRequest sees every call the fake platform answered; a successful send
// to a customer makes them answer later.
func (p *people) onRequest(r fake.Request) {
	if r.Method != "POST" || r.Status != 200 {
		return
	}
	j, ok := p.answerTo(r)
	if !ok {
		return
	}
	time.AfterFunc(p.d.cfg.ReplyDelay, func() {
		select {
		case p.jobs <- j:
		default: // a flood of replies: this customer stays quiet
		}
	})
}

// answerTo works out who an agent's send reached and what they say next.
func (p *people) answerTo(r fake.Request) (job, bool) {
	parts := strings.Split(strings.Trim(r.Path, "/"), "/")
	if len(parts) != 2 {
		return job{}, false
	}
	var j job
	switch parts[1] {
	case "comments": // a public reply under a comment
		p.mu.Lock()
		ref, ok := p.comments[parts[0]]
		p.mu.Unlock()
		if !ok {
			return job{}, false
		}
		j = job{who: ref.who, inComments: &ref, parentID: parts[0]}
	case "messages":
		who, ok := p.recipient(parts[0], r.Body)
		if !ok {
			return job{}, false
		}
		j = job{who: who}
	default:
		return job{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.answered[j.who]
	if n >= len(j.who.answers) {
		return job{}, false
	}
	p.answered[j.who] = n + 1
	j.text = j.who.answers[n]
	return j, true
}

// recipient finds the customer a direct send went to: a Messenger or
// Instagram recipient id, a private reply's comment author (who answers in
// Messenger), or a WhatsApp number. Read marks and typing are not sends.
func (p *people) recipient(account string, body []byte) (*customer, bool) {
	var req struct {
		To        string `json:"to"`
		Status    string `json:"status"`
		Recipient struct {
			ID        string `json:"id"`
			CommentID string `json:"comment_id"`
		} `json:"recipient"`
		SenderAction string `json:"sender_action"`
	}
	if json.Unmarshal(body, &req) != nil || req.Status != "" || req.SenderAction != "" {
		return nil, false
	}
	a := p.d.accounts
	switch {
	case account == a.PhoneNumberID:
		return find(parley.PlatformWhatsApp, req.To)
	case req.Recipient.CommentID != "":
		p.mu.Lock()
		ref, ok := p.comments[req.Recipient.CommentID]
		p.mu.Unlock()
		return ref.who, ok
	case account == a.InstagramID:
		return find(parley.PlatformInstagram, req.Recipient.ID)
	case account == a.PageID:
		return find(parley.PlatformMessenger, req.Recipient.ID)
	}
	return nil, false
}

// find is the customer with this id; comment customers who got a private
// reply write back in Messenger under the same id.
func find(platform parley.Platform, id string) (*customer, bool) {
	for i := range customers {
		c := &customers[i]
		if c.id == id && (c.platform == platform || platform == parley.PlatformMessenger && c.platform == parley.PlatformFacebookComments) {
			return c, true
		}
	}
	return nil, false
}
