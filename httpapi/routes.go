package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/parleyhq/parley"
)

// access is who may call a route.
type access int

const (
	accessPublic access = iota // anyone (the handler may check more, e.g. a signature)
	accessAgent                // any signed-in, active agent
	accessAdmin                // admins only
)

// route is one endpoint: registration and documentation come from the same
// value, so the OpenAPI document cannot drift from what is served.
type route struct {
	method, path string
	access       access
	handler      http.HandlerFunc
	doc          doc
	// checkOrigin applies the cross-origin check even to a safe method (the
	// WebSocket upgrade is a GET that a foreign page could open with our cookie).
	checkOrigin bool
}

func (rt route) pattern() string { return rt.method + " " + rt.path }

// doc describes a route for the OpenAPI document.
type doc struct {
	summary string
	tag     string
	query   []param
	body    any // a value of the request body's type; nil = no body
	status  int // success status; 0 = 200
	resp    any // a value of the response type; nil = no body
	list    bool
	// content is the media type of a non-JSON success response.
	content string
	// upload says the body is multipart/form-data with one "file" field.
	upload bool
}

// param is a documented query parameter.
type param struct {
	name, typ, desc string
	enum            []string
	repeat          bool
	required        bool
}

// wrap applies the cross-origin check, authentication and the role of rt.
func (s *Server) wrap(rt route) http.Handler {
	pattern := rt.pattern()
	guardOrigin := rt.checkOrigin || strings.HasPrefix(rt.path, "/api/") && !safeMethod(rt.method)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		if info != nil {
			info.route = pattern
		}
		if guardOrigin {
			if err := s.checkOrigin(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if rt.access != accessPublic {
			a, _, err := s.authenticate(w, r)
			if err == nil && rt.access == accessAdmin {
				err = requireRole(a, parley.RoleAdmin)
			}
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			if info != nil {
				info.agentID = a.ID
			}
			r = r.WithContext(context.WithValue(r.Context(), agentKey, a))
		}
		rt.handler(w, r)
	})
}

// checkOrigin refuses cross-origin browser requests that would ride on the
// session cookie (CSRF). Requests with an Authorization header carry their
// own credential, which a foreign page cannot add, so they pass.
func (s *Server) checkOrigin(r *http.Request) error {
	if _, bearer := bearerToken(r); bearer {
		return nil
	}
	probe := r
	if safeMethod(r.Method) { // CrossOriginProtection always passes safe methods
		probe = r.Clone(r.Context())
		probe.Method = http.MethodPost
	}
	if err := s.csrf.Check(probe); err != nil {
		return parley.WrapError(parley.EFORBIDDEN, err, "cross-origin request refused")
	}
	return nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
