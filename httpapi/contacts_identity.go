package httpapi

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// identityStore is what the identity endpoints need beyond parley.Store;
// the SQL store implements it. A store without it answers 422.
type identityStore interface {
	SuggestContacts(ctx context.Context, contactID int64) ([]identity.Suggestion, error)
	DismissSuggestion(ctx context.Context, contactID, otherID, agentID int64) error
	SuggestionDismissals(ctx context.Context, contactID int64) ([]identity.Dismissal, error)
	UndoDismissal(ctx context.Context, contactID, otherID int64) error
	MergeContacts(ctx context.Context, survivorID, sourceID, agentID int64) (*identity.MergeResult, error)
	UndoMerge(ctx context.Context, mergeID int64) (*identity.MergeResult, error)
	Contact360(ctx context.Context, contactID int64) (*identity.View360, error)
	FindConversationLinks(ctx context.Context, conversationID int64) ([]identity.Link, error)
	SetConsent(ctx context.Context, c identity.Consent) (*identity.Consent, error)
	FindConsents(ctx context.Context, contactID int64) ([]identity.Consent, error)
	ConsentAllows(ctx context.Context, contactID int64, platform parley.Platform, purpose string) (bool, error)
	ExportContact(ctx context.Context, contactID, agentID int64) (*identity.Export, error)
	EraseContact(ctx context.Context, contactID, agentID int64) (*identity.ErasureReport, error)
	ContactLookupConfig(ctx context.Context) (identity.LookupConfig, error)
	SetContactLookupConfig(ctx context.Context, cfg identity.LookupConfig) error
	CachedLookup(ctx context.Context, contactID int64, ttl time.Duration) (*identity.LookupResult, error)
	SaveLookup(ctx context.Context, contactID int64, res identity.LookupResult) error
	FieldPolicy(ctx context.Context) (identity.FieldPolicy, error)
	SetFieldPolicy(ctx context.Context, p identity.FieldPolicy) error
}

// lookupClient fetches from the company's systems; each call carries its
// own timeout. Redirects are not followed: the auth header must not travel
// to another host.
var lookupClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// LookupHidden is the status of the company's data for roles that may not
// see contact details.
const lookupHidden = "hidden"

func (s *Server) identityStore() (identityStore, error) {
	st, ok := s.store.(identityStore)
	if !ok {
		return nil, parley.Errorf(parley.EUNSUPPORTED, "this store does not support contact identity features")
	}
	return st, nil
}

// unmasked reports whether the signed-in agent sees contact details in
// full. Admins always do; other roles as the field policy says.
func (s *Server) unmasked(ctx context.Context) bool {
	me := agentFrom(ctx)
	if me == nil {
		return false
	}
	if me.Role == parley.RoleAdmin {
		return true
	}
	policy := identity.DefaultFieldPolicy()
	if st, ok := s.store.(identityStore); ok {
		p, err := st.FieldPolicy(ctx)
		if err != nil {
			s.log.WarnContext(ctx, "loading field policy failed; masking", "err", err)
			return false
		}
		policy = p
	}
	return policy.Unmasked(me.Role)
}

// visibleContact is c as the signed-in agent may see it: masked unless
// the field policy lets their role see contact details.
func (s *Server) visibleContact(ctx context.Context, c *parley.Contact) *parley.Contact {
	if c == nil || s.unmasked(ctx) {
		return c
	}
	return identity.MaskContact(c)
}

func (s *Server) visibleContacts(ctx context.Context, cs []*parley.Contact) []*parley.Contact {
	if s.unmasked(ctx) {
		return cs
	}
	out := make([]*parley.Contact, len(cs))
	for i, c := range cs {
		out[i] = identity.MaskContact(c)
	}
	return out
}

type contactMergeRequest struct {
	SourceID int64 `json:"source_id"`
}

type consentRequest struct {
	Platform parley.Platform `json:"platform"`
	Purpose  string          `json:"purpose"`
	Granted  *bool           `json:"granted"`
	Source   string          `json:"source,omitempty"`
}

type consentAnswer struct {
	ContactID int64           `json:"contact_id"`
	Platform  parley.Platform `json:"platform"`
	Purpose   string          `json:"purpose"`
	Allowed   bool            `json:"allowed"`
}

type eraseRequest struct {
	Confirm bool `json:"confirm"`
}

// lookupSettings is the lookup configuration as the API shows it: the
// auth header's value is write-only.
type lookupSettings struct {
	URLTemplate     string  `json:"url_template"`
	HeaderName      string  `json:"header_name,omitempty"`
	HeaderValue     *string `json:"header_value,omitempty"` // write-only; omitted keeps the stored one
	HeaderSet       bool    `json:"header_set"`             // read-only
	TimeoutMS       int     `json:"timeout_ms,omitempty"`
	CacheTTLSeconds int     `json:"cache_ttl_seconds"` // 0: no cache
}

// withContact runs fn with the identity store and the contact id of the path.
func (s *Server) withContact(w http.ResponseWriter, r *http.Request, fn func(st identityStore, id int64) (any, error)) {
	st, err := s.identityStore()
	var id int64
	if err == nil {
		id, err = pathID(r, "id")
	}
	var out any
	if err == nil {
		out, err = fn(st, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleContactSuggestions(w http.ResponseWriter, r *http.Request) {
	s.withContact(w, r, func(st identityStore, id int64) (any, error) {
		got, err := st.SuggestContacts(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if !s.unmasked(r.Context()) {
			for i := range got {
				got[i].Contact = identity.MaskContact(got[i].Contact)
				for j, e := range got[i].Evidence {
					got[i].Evidence[j].Value = identity.MaskIdentity(parley.IdentityKind(e.Kind), e.Value)
				}
			}
		}
		return pageOf(got, ""), nil
	})
}

func (s *Server) handleDismissSuggestion(w http.ResponseWriter, r *http.Request) {
	s.onContactPair(w, r, func(st identityStore, id, other int64) error {
		return st.DismissSuggestion(r.Context(), id, other, agentFrom(r.Context()).ID)
	})
}

// onContactPair runs fn on the contacts {id} and {otherID} of the path and
// answers 204.
func (s *Server) onContactPair(w http.ResponseWriter, r *http.Request, fn func(st identityStore, id, other int64) error) {
	st, err := s.identityStore()
	var id, other int64
	if err == nil {
		id, err = pathID(r, "id")
	}
	if err == nil {
		other, err = pathID(r, "otherID")
	}
	if err == nil {
		err = fn(st, id, other)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleMergeContacts(w http.ResponseWriter, r *http.Request) {
	s.withContact(w, r, func(st identityStore, id int64) (any, error) {
		var req contactMergeRequest
		if err := decodeJSON(w, r, &req); err != nil {
			return nil, err
		}
		if req.SourceID <= 0 {
			return nil, parley.Errorf(parley.EINVALID, "source_id is required")
		}
		res, err := st.MergeContacts(r.Context(), id, req.SourceID, agentFrom(r.Context()).ID)
		if err != nil {
			return nil, err
		}
		s.publish(r, &parley.Event{Type: parley.EventContactUpdated, Contact: res.Survivor, At: s.clock.Now()})
		return s.visibleMerge(r.Context(), res), nil
	})
}

func (s *Server) handleUndoMerge(w http.ResponseWriter, r *http.Request) {
	st, err := s.identityStore()
	var id int64
	if err == nil {
		id, err = pathID(r, "mergeID")
	}
	var res *identity.MergeResult
	if err == nil {
		res, err = st.UndoMerge(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, cid := range []int64{res.SurvivorID, res.SourceID} {
		if c, err := s.store.FindContactByID(r.Context(), cid); err == nil {
			s.publish(r, &parley.Event{Type: parley.EventContactUpdated, Contact: c, At: s.clock.Now()})
			if cid == res.SurvivorID {
				res.Survivor = c
			}
		}
	}
	writeJSON(w, http.StatusOK, s.visibleMerge(r.Context(), res))
}

// visibleMerge masks the contact details inside a merge result.
func (s *Server) visibleMerge(ctx context.Context, res *identity.MergeResult) *identity.MergeResult {
	if s.unmasked(ctx) {
		return res
	}
	cp := *res
	cp.Survivor = identity.MaskContact(res.Survivor)
	cp.Conflicts = make([]identity.AttributeConflict, len(res.Conflicts))
	for i, c := range res.Conflicts {
		if c.Field == "email" || c.Field == "phone" {
			c.Kept, c.Discarded = identity.MaskIdentity(parley.IdentityKind(c.Field), c.Kept), identity.MaskIdentity(parley.IdentityKind(c.Field), c.Discarded)
		}
		cp.Conflicts[i] = c
	}
	return &cp
}

func (s *Server) handleContact360(w http.ResponseWriter, r *http.Request) {
	s.withContact(w, r, func(st identityStore, id int64) (any, error) {
		v, err := st.Contact360(r.Context(), id)
		if err != nil {
			return nil, err
		}
		hideInvisibleTickets(agentFrom(r.Context()), v)
		if !s.unmasked(r.Context()) {
			v.Contact = identity.MaskContact(v.Contact)
			for i := range v.Claims {
				v.Claims[i].Value = identity.MaskIdentity(v.Claims[i].Kind, v.Claims[i].Value)
			}
			v.External = &identity.LookupResult{Status: lookupHidden, Error: "your role may not see data from the company's systems"}
			return v, nil
		}
		ext := s.lookupExternal(r.Context(), st, v.Contact)
		v.External = &ext
		return v, nil
	})
}

// hideInvisibleTickets keeps only the tickets the agent may see, and their
// messages and links.
func hideInvisibleTickets(me *parley.Agent, v *identity.View360) {
	seen := map[int64]bool{}
	convs := v.Conversations[:0]
	for _, c := range v.Conversations {
		if me.CanSee(c) {
			seen[c.ID] = true
			convs = append(convs, c)
		}
	}
	v.Conversations = convs
	timeline := v.Timeline[:0]
	for _, e := range v.Timeline {
		if seen[e.ConversationID] {
			timeline = append(timeline, e)
		}
	}
	v.Timeline = timeline
	links := v.Links[:0]
	for _, l := range v.Links {
		if seen[l.ConversationID] && seen[l.LinkedID] {
			links = append(links, l)
		}
	}
	v.Links = links
}

// lookupExternal asks the company's systems about c, through the shared
// cache. Whatever fails is shown in the result, never fatal.
func (s *Server) lookupExternal(ctx context.Context, st identityStore, c *parley.Contact) identity.LookupResult {
	cfg, err := st.ContactLookupConfig(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "loading lookup settings failed", "err", err)
		return identity.LookupResult{Status: identity.LookupError, Error: "lookup settings could not be loaded"}
	}
	if !cfg.Enabled() {
		return identity.LookupResult{Status: identity.LookupDisabled}
	}
	if cfg.CacheTTL > 0 {
		if cached, err := st.CachedLookup(ctx, c.ID, cfg.CacheTTL); err == nil && cached != nil {
			return *cached
		}
	}
	res := identity.FetchLookup(ctx, lookupClient, cfg, c, s.clock.Now())
	if res.Status == identity.LookupError {
		s.log.WarnContext(ctx, "contact lookup failed", "contact_id", c.ID, "err", res.Error)
	}
	if cfg.CacheTTL > 0 {
		if err := st.SaveLookup(ctx, c.ID, res); err != nil {
			s.log.WarnContext(ctx, "caching lookup failed", "err", err)
		}
	}
	return res
}

func (s *Server) handleListConsents(w http.ResponseWriter, r *http.Request) {
	s.withContact(w, r, func(st identityStore, id int64) (any, error) {
		got, err := st.FindConsents(r.Context(), id)
		return pageOf(got, ""), err
	})
}

func (s *Server) handlePutConsent(w http.ResponseWriter, r *http.Request) {
	s.withContact(w, r, func(st identityStore, id int64) (any, error) {
		var req consentRequest
		if err := decodeJSON(w, r, &req); err != nil {
			return nil, err
		}
		if req.Granted == nil {
			return nil, parley.Errorf(parley.EINVALID, "granted (true or false) is required")
		}
		if len(req.Source) > 200 {
			return nil, parley.Errorf(parley.EINVALID, "source is longer than 200 characters")
		}
		return st.SetConsent(r.Context(), identity.Consent{ContactID: id, Platform: req.Platform, Purpose: req.Purpose,
			Granted: *req.Granted, Source: strings.TrimSpace(req.Source)})
	})
}

func (s *Server) handleCheckConsent(w http.ResponseWriter, r *http.Request) {
	s.withContact(w, r, func(st identityStore, id int64) (any, error) {
		q := parseQuery(r, "platform", "purpose")
		platform, purpose := q.string("platform"), q.string("purpose")
		if q.err == nil && (platform == nil || purpose == nil || !parley.Platform(*platform).Valid()) {
			q.fail("platform (a known platform) and purpose are required")
		}
		if q.err != nil {
			return nil, q.err
		}
		if _, err := s.store.FindContactByID(r.Context(), id); err != nil {
			return nil, err
		}
		ok, err := st.ConsentAllows(r.Context(), id, parley.Platform(*platform), *purpose)
		return consentAnswer{ContactID: id, Platform: parley.Platform(*platform), Purpose: *purpose, Allowed: ok}, err
	})
}

func (s *Server) handleEraseContact(w http.ResponseWriter, r *http.Request) {
	s.withContact(w, r, func(st identityStore, id int64) (any, error) {
		var req eraseRequest
		if err := decodeJSON(w, r, &req); err != nil {
			return nil, err
		}
		if !req.Confirm {
			return nil, parley.Errorf(parley.EINVALID, "erasure cannot be undone: send {\"confirm\":true}")
		}
		rep, err := st.EraseContact(r.Context(), id, agentFrom(r.Context()).ID)
		if err == nil {
			s.log.InfoContext(r.Context(), "contact erased", "contact_id", id, "agent_id", agentFrom(r.Context()).ID)
			s.deleteErasedFiles(r, rep.AttachmentKeys)
			err = s.purgeContactData(r.Context(), id)
		}
		return rep, err
	})
}

func (s *Server) handleConversationLinks(w http.ResponseWriter, r *http.Request) {
	st, err := s.identityStore()
	var c *parley.Conversation
	if err == nil {
		c, err = s.conversationFromPath(r)
	}
	var links []identity.Link
	if err == nil {
		links, err = st.FindConversationLinks(r.Context(), c.ID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(links, ""))
}

func lookupSettingsOf(cfg identity.LookupConfig) lookupSettings {
	return lookupSettings{URLTemplate: cfg.URLTemplate, HeaderName: cfg.HeaderName, HeaderSet: cfg.HeaderValue != "",
		TimeoutMS: int(cfg.Timeout / time.Millisecond), CacheTTLSeconds: int(cfg.CacheTTL / time.Second)}
}

func (s *Server) handleGetLookupSettings(w http.ResponseWriter, r *http.Request) {
	st, err := s.identityStore()
	var cfg identity.LookupConfig
	if err == nil {
		cfg, err = st.ContactLookupConfig(r.Context())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, lookupSettingsOf(cfg))
}

func (s *Server) handlePutLookupSettings(w http.ResponseWriter, r *http.Request) {
	st, err := s.identityStore()
	var req lookupSettings
	if err == nil {
		err = decodeJSON(w, r, &req)
	}
	var cfg identity.LookupConfig
	if err == nil {
		cfg, err = st.ContactLookupConfig(r.Context())
	}
	if err == nil && (req.TimeoutMS < 0 || req.CacheTTLSeconds < 0) {
		err = parley.Errorf(parley.EINVALID, "timeout_ms and cache_ttl_seconds must not be negative")
	}
	if err == nil {
		cfg.URLTemplate, cfg.HeaderName = strings.TrimSpace(req.URLTemplate), strings.TrimSpace(req.HeaderName)
		if req.HeaderValue != nil {
			cfg.HeaderValue = *req.HeaderValue
		}
		cfg.Timeout = time.Duration(req.TimeoutMS) * time.Millisecond
		cfg.CacheTTL = time.Duration(req.CacheTTLSeconds) * time.Second
		err = st.SetContactLookupConfig(r.Context(), cfg)
	}
	if err == nil {
		cfg, err = st.ContactLookupConfig(r.Context())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, lookupSettingsOf(cfg))
}

func (s *Server) handleGetFieldPolicy(w http.ResponseWriter, r *http.Request) {
	st, err := s.identityStore()
	var p identity.FieldPolicy
	if err == nil {
		p, err = st.FieldPolicy(r.Context())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) handlePutFieldPolicy(w http.ResponseWriter, r *http.Request) {
	st, err := s.identityStore()
	var p identity.FieldPolicy
	if err == nil {
		err = decodeJSON(w, r, &p)
	}
	if err == nil {
		err = st.SetFieldPolicy(r.Context(), p)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.refreshRealtimePolicy(r.Context())
	writeJSON(w, http.StatusOK, p)
}

// policyRefresher is the part of the realtime hub that masks contacts in
// events; this node's sockets follow a policy change at once, other nodes
// within their refresh interval.
type policyRefresher interface {
	RefreshFieldPolicy(ctx context.Context) error
}

func (s *Server) refreshRealtimePolicy(ctx context.Context) {
	if rt, ok := s.cfg.Realtime.(policyRefresher); ok {
		if err := rt.RefreshFieldPolicy(ctx); err != nil {
			s.log.WarnContext(ctx, "realtime keeps the previous field policy", "err", err)
		}
	}
}

// Patterns of contact details inside search titles and snippets (which
// may carry <mark> tags between the characters of a match).
var (
	emailInText = regexp.MustCompile(`(?:</?mark>|[\p{L}\p{N}._%+\-])+@(?:</?mark>|[\p{L}\p{N}.\-])+`)
	phoneInText = regexp.MustCompile(`\+?(?:\d(?:</?mark>|[ ().\-])*){7,}\d`)
)

// visibleSearch masks e-mail addresses and phone numbers in the contact
// hits of a search for roles that may not see them.
func (s *Server) visibleSearch(ctx context.Context, res *parley.SearchResults) *parley.SearchResults {
	if res == nil || s.unmasked(ctx) {
		return res
	}
	mask := func(text string) string {
		text = emailInText.ReplaceAllStringFunc(text, func(m string) string {
			return identity.MaskEmail(stripMarks(m))
		})
		return phoneInText.ReplaceAllStringFunc(text, func(m string) string { return identity.MaskPhone(stripMarks(m)) })
	}
	cp := *res
	cp.Contacts = make([]parley.SearchHit, len(res.Contacts))
	for i, h := range res.Contacts {
		h.Title, h.Snippet = mask(h.Title), mask(h.Snippet)
		cp.Contacts[i] = h
	}
	return &cp
}

func stripMarks(s string) string {
	return strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
}
