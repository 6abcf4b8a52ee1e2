// Package fake is a local HTTP server that behaves like the parts of Meta's
// Graph API that Parley's Meta adapters use (PLATFORMS.md §0–§4), for tests
// and demos. It validates what it receives (access token, required fields,
// text and button limits, reply windows per recipient based on the last
// inbound message it delivered, template existence, rate limits) and answers
// with Meta's success and error shapes; it records every request; and it
// sends signed webhooks (messages, receipts, statuses, comments) to a target
// URL.
//
// Start one with Listen (tests: faketest.MustStart; or mount the *Server as an
// http.Handler), register
// accounts with AddPage, AddInstagram and AddWhatsApp, point a channel's
// graph_base_url at Server.URL, and drive inbound traffic with the webhook
// methods (MessengerText, WhatsAppText, Comment…).
//
// It also serves a WABA's message templates (PutTemplate; GET
// /{waba-id}/message_templates with cursor paging), reports an account's
// own comment replies back on the webhook as Meta does, and plays
// api.instagram.com and graph.instagram.com for Instagram Login
// (AddInstagramLogin: code exchange, long-lived token, refresh, /me).
package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Config sets up a fake Graph server.
type Config struct {
	// AppSecret signs webhooks (X-Hub-Signature-256) and, with AppID,
	// authenticates the app in the OAuth token exchange.
	AppSecret string
	AppID     string
	// WebhookURL receives webhooks of accounts without their own.
	WebhookURL string
	// Now is the server's clock (reply windows, timestamps); default time.Now.
	Now func() time.Time
	// AsyncWhatsAppFailures makes re-engagement (131047) and undeliverable
	// (131026) failures arrive as a "failed" status webhook after an accepted
	// send, as Meta usually does, instead of as the send's error answer.
	AsyncWhatsAppFailures bool
	// AutoReceipts makes the fake report accepted sends back as a
	// customer's phone would: Messenger/Instagram delivery and read
	// receipts, WhatsApp sent, delivered and read statuses (in order, in
	// the background; Flush waits).
	AutoReceipts bool
	// ReceiptDelay is how long after a send automatic receipts start;
	// default DefaultReceiptDelay.
	ReceiptDelay time.Duration
	// HTTPClient posts webhooks; default a client with a 10 s timeout.
	HTTPClient *http.Client
	// OnRequest, if set, is called with every request after it was
	// answered (a demo's customers react to the agents' sends with it).
	OnRequest func(Request)
	// BeforeAnswer, if set, is called with every Graph call after it was
	// handled and before it is answered (tests make a webhook beat the
	// send's answer with it, as Meta's sometimes does).
	BeforeAnswer func(Request)
	// FetchMediaLinks makes the fake download the URL of every media send
	// (Messenger/Instagram attachment payload url, WhatsApp link) as Meta
	// does, failing the send when it cannot; FetchedMedia lists them.
	FetchMediaLinks bool
	// MaxRequests bounds how many recent requests Requests keeps, so a
	// long-running demo does not grow; 0 keeps all.
	MaxRequests int
}

// DefaultReceiptDelay is how long a fake phone takes to report a message
// delivered and read.
const DefaultReceiptDelay = 200 * time.Millisecond

// Kinds of accounts.
const (
	KindPage      = "page"
	KindInstagram = "instagram"
	KindWhatsApp  = "whatsapp"
)

// Server is the fake Graph API.
type Server struct {
	URL string // base URL to use as graph_base_url

	cfg      Config
	mu       sync.Mutex
	accounts map[string]*account
	requests []Request
	media    map[string]mediaFile
	fetched  []FetchedFile
	seq      int
	oauth    oauthState
	igLogin  igLogin
	httpSrv  *http.Server
	pending  sync.WaitGroup
}

type account struct {
	id, kind, token, wabaID string
	webhookURLs             []string            // Meta posts a Page's Messenger and feed events to one app URL
	templates               map[string]Template // "name/lang"
	lastInbound             map[string]time.Time
	blocked                 map[string]bool
	comments                map[string]comment
	privateReplied          map[string]bool
	rate                    *rateLimit
	failNext                []GraphError
	posts                   map[string]post // Page posts or Instagram media, by id
}

type comment struct {
	from string
	at   time.Time
	post string // the Page post or Instagram media it is on
}

type mediaFile struct {
	data        []byte
	contentType string
	token       string
}

// Request is one request the fake received, and what it answered.
type Request struct {
	Method  string
	Path    string // without the version prefix
	Version string
	Query   url.Values
	Header  http.Header
	Body    []byte
	Form    url.Values
	Status  int
	Answer  []byte
}

// JSON decodes the request body into a generic map.
func (r Request) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// New builds a server; mount it or call Listen.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Server{cfg: cfg, accounts: map[string]*account{}, media: map[string]mediaFile{}, oauth: newOAuthState()}
}

// Listen serves on addr ("127.0.0.1:0" picks a free port) until Close.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.URL = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.httpSrv.Serve(ln) }()
	return nil
}

// Close stops the server after pending webhooks are sent.
func (s *Server) Close() error {
	s.pending.Wait()
	if s.httpSrv == nil {
		return nil
	}
	return s.httpSrv.Shutdown(context.Background())
}

// Flush waits until webhooks sent in the background (asynchronous
// WhatsApp failures) have been delivered.
func (s *Server) Flush() { s.pending.Wait() }

func (s *Server) addAccount(a *account) {
	a.lastInbound, a.blocked = map[string]time.Time{}, map[string]bool{}
	a.comments, a.privateReplied = map[string]comment{}, map[string]bool{}
	a.templates = map[string]Template{}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[a.id] = a
}

// AddPage registers a Facebook Page (Messenger and page comments) and its Page token.
func (s *Server) AddPage(pageID, token string) {
	s.addAccount(&account{id: pageID, kind: KindPage, token: token})
}

// AddInstagram registers an Instagram account and its token.
func (s *Server) AddInstagram(igID, token string) {
	s.addAccount(&account{id: igID, kind: KindInstagram, token: token})
}

// AddWhatsApp registers a WhatsApp business number, its WABA and token.
func (s *Server) AddWhatsApp(phoneNumberID, wabaID, token string) {
	s.addAccount(&account{id: phoneNumberID, kind: KindWhatsApp, token: token, wabaID: wabaID})
}

// AddTemplate approves a UTILITY WhatsApp template (name, language) whose
// body takes params parameters.
func (s *Server) AddTemplate(phoneNumberID, name, language string, params int) {
	body := "Update"
	for i := range params {
		body += fmt.Sprintf(" {{%d}}", i+1)
	}
	s.PutTemplate(phoneNumberID, Template{Name: name, Language: language, Status: "APPROVED", Category: "UTILITY", Body: body})
}

// PutTemplate adds or replaces a template of the number's WhatsApp
// Business Account, in any review status.
func (s *Server) PutTemplate(phoneNumberID string, t Template) {
	s.withAccount(phoneNumberID, func(a *account) {
		s.seq++
		t.id = fmt.Sprintf("%d", 700000000+s.seq)
		a.templates[t.Name+"/"+t.Language] = t
	})
}

// SetWebhookURL sends this account's webhooks to urls. With several, every
// webhook goes to each of them: one Page carries both a Messenger and a
// Page-comments channel, and each adapter keeps the events that are its own.
func (s *Server) SetWebhookURL(accountID string, urls ...string) {
	s.withAccount(accountID, func(a *account) { a.webhookURLs = append([]string(nil), urls...) })
}

// SetToken replaces the account's access token, as a user revoking the
// app or changing their password would: calls with the old token get the
// error Meta gives an invalid token (code 190).
func (s *Server) SetToken(accountID, token string) {
	s.withAccount(accountID, func(a *account) { a.token = token })
}

// SetInbound records that user last wrote to the account at at (opening or
// aging the reply window) without sending a webhook.
func (s *Server) SetInbound(accountID, user string, at time.Time) {
	s.withAccount(accountID, func(a *account) { a.lastInbound[user] = at })
}

// Block makes the recipient unreachable (Messenger 551/1545041, WhatsApp 131026).
func (s *Server) Block(accountID, user string) {
	s.withAccount(accountID, func(a *account) { a.blocked[user] = true })
}

// SetRateLimit allows n sends per window on the account; more are refused
// with the platform's throttling error.
func (s *Server) SetRateLimit(accountID string, n int, window time.Duration) {
	s.withAccount(accountID, func(a *account) { a.rate = &rateLimit{max: n, window: window} })
}

// FailNext makes the account's next send fail with e.
func (s *Server) FailNext(accountID string, e GraphError) {
	s.withAccount(accountID, func(a *account) { a.failNext = append(a.failNext, e) })
}

// Requests returns a copy of everything received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) withAccount(id string, f func(*account)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		panic(fmt.Sprintf("fake: unknown account %q: register it first", id))
	}
	f(a)
}

func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%d", prefix, s.seq)
}

var versionPath = regexp.MustCompile(`^/(v\d+\.\d+)(/.*)$`)

// ServeHTTP routes Graph calls.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	if strings.HasPrefix(r.URL.Path, "/media/") && r.Method == http.MethodGet {
		s.serveMedia(w, r)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		rec.Form, _ = url.ParseQuery(string(body))
	}
	m := versionPath.FindStringSubmatch(r.URL.Path)
	var status int
	var answer any
	s.mu.Lock()
	igStatus, igAnswer, isIG := s.routeInstagramOAuth(r, rec.Form)
	s.mu.Unlock()
	if isIG {
		status, answer = igStatus, igAnswer
	} else if m == nil {
		status, answer = errAnswer(GraphError{HTTPStatus: 400, Code: 2500, Message: "Unknown path components: " + r.URL.Path})
	} else {
		rec.Version, rec.Path = m[1], m[2]
		s.mu.Lock()
		status, answer = s.route(&rec, r)
		s.mu.Unlock()
	}
	out, _ := json.Marshal(answer)
	rec.Status, rec.Answer = status, out
	s.record(rec)
	if s.cfg.BeforeAnswer != nil {
		s.cfg.BeforeAnswer(rec)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
	if s.cfg.OnRequest != nil {
		s.cfg.OnRequest(rec)
	}
}

func (s *Server) record(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
	if max := s.cfg.MaxRequests; max > 0 && len(s.requests) > 2*max {
		s.requests = append([]Request(nil), s.requests[len(s.requests)-max:]...)
	}
}

// route answers one versioned Graph call; s.mu is held.
func (s *Server) route(rec *Request, r *http.Request) (int, any) {
	parts := strings.Split(strings.Trim(rec.Path, "/"), "/")
	token := bearerOrQuery(r, rec.Form)
	if status, answer, ok := s.routeInstagramMe(parts, token, r, rec.Query); ok {
		return status, answer
	}
	if status, answer, ok := s.routeOAuth(parts, token, rec, r); ok {
		return status, answer
	}
	switch {
	case len(parts) == 2 && parts[1] == "messages" && r.Method == http.MethodPost:
		a, e := s.authorize(parts[0], token)
		if e != nil {
			return errAnswer(*e)
		}
		if parts[0] == "me" {
			a = s.meRecipientAccount(a, rec)
		}
		if a.kind == KindWhatsApp {
			return s.whatsAppSend(a, rec, r)
		}
		return s.messengerSend(a, rec)
	case len(parts) == 2 && (parts[1] == "comments" || parts[1] == "replies") && r.Method == http.MethodPost:
		return s.commentReply(parts[0], parts[1], token, rec)
	case len(parts) == 2 && parts[1] == "subscribed_apps" && r.Method == http.MethodPost:
		if _, e := s.authorize(parts[0], token); e != nil {
			return errAnswer(*e)
		}
		if rec.Query.Get("subscribed_fields") == "" {
			return errAnswer(badParam("The parameter subscribed_fields is required."))
		}
		return 200, map[string]any{"success": true}
	case len(parts) == 2 && parts[1] == "message_templates" && r.Method == http.MethodGet:
		return s.listTemplates(parts[0], token, rec.Query)
	case len(parts) == 1 && r.Method == http.MethodGet:
		if status, answer, ok := s.getPost(parts[0], token, rec.Query); ok {
			return status, answer
		}
		return s.mediaInfo(parts[0], token)
	}
	return errAnswer(GraphError{HTTPStatus: 400, Code: 100, Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", strings.ToLower(r.Method), parts[0])})
}

func bearerOrQuery(r *http.Request, form url.Values) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	if t := r.URL.Query().Get("access_token"); t != "" {
		return t
	}
	return form.Get("access_token")
}

// authorize finds the account addressed by id ("me" = the token's own) and
// checks the token.
func (s *Server) authorize(id, token string) (*account, *GraphError) {
	if token == "" {
		e := GraphError{HTTPStatus: 400, Code: 2500, Type: "OAuthException", Message: "An active access token must be used to query information about the current user."}
		return nil, &e
	}
	var a *account
	if id == "me" {
		// A Page and its Instagram account share the Page token; "me" is
		// the Page (ids sorted, so the choice never depends on map order).
		for _, acc := range s.accounts {
			if acc.token == token && acc.kind != KindWhatsApp && (a == nil || acc.kind == KindPage && a.kind != KindPage || acc.kind == a.kind && acc.id < a.id) {
				a = acc
			}
		}
	} else {
		a = s.accounts[id]
	}
	if a == nil || a.token != token {
		e := GraphError{HTTPStatus: 401, Code: 190, Type: "OAuthException", Message: "Invalid OAuth access token - Cannot parse access token"}
		return nil, &e
	}
	return a, nil
}

// meRecipientAccount is where Meta delivers a /me/messages call made with
// a Page token: to the account sharing that token that knows the recipient
// (an Instagram user who wrote to the Page's Instagram account, or the
// owner of the comment of a private reply), else to the Page itself.
func (s *Server) meRecipientAccount(page *account, rec *Request) *account {
	var body struct {
		Recipient struct {
			ID        string `json:"id"`
			CommentID string `json:"comment_id"`
		} `json:"recipient"`
	}
	if json.Unmarshal(rec.Body, &body) != nil {
		return page
	}
	if _, ok := page.lastInbound[body.Recipient.ID]; ok {
		return page
	}
	if _, ok := page.comments[body.Recipient.CommentID]; ok && body.Recipient.CommentID != "" {
		return page
	}
	for _, acc := range s.accounts {
		if acc == page || acc.token != page.token || acc.kind == KindWhatsApp {
			continue
		}
		_, wrote := acc.lastInbound[body.Recipient.ID]
		_, commented := acc.comments[body.Recipient.CommentID]
		if wrote || commented && body.Recipient.CommentID != "" {
			return acc
		}
	}
	return page
}

// preSend applies injected failures and rate limits.
func (s *Server) preSend(a *account, rateErr GraphError) *GraphError {
	if len(a.failNext) > 0 {
		e := a.failNext[0]
		a.failNext = a.failNext[1:]
		return &e
	}
	if a.rate != nil && !a.rate.allow(s.cfg.Now()) {
		return &rateErr
	}
	return nil
}

type rateLimit struct {
	max    int
	window time.Duration
	sent   []time.Time
}

func (l *rateLimit) allow(now time.Time) bool {
	keep := l.sent[:0]
	for _, t := range l.sent {
		if now.Sub(t) < l.window {
			keep = append(keep, t)
		}
	}
	l.sent = keep
	if len(l.sent) >= l.max {
		return false
	}
	l.sent = append(l.sent, now)
	return true
}
