package fake

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Template is a WhatsApp message template of a business account, as the
// Business Management API lists it (PLATFORMS.md §4).
type Template struct {
	Name     string
	Language string
	Status   string // APPROVED, PENDING, REJECTED, PAUSED, DISABLED
	Category string // MARKETING, UTILITY, AUTHENTICATION
	Header   string
	Body     string // with {{1}}… placeholders
	Footer   string
	id       string
}

var templateParam = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// params is the number of distinct body placeholders a send must fill.
func (t Template) params() int {
	seen := map[string]bool{}
	for _, m := range templateParam.FindAllStringSubmatch(t.Body, -1) {
		seen[m[1]] = true
	}
	return len(seen)
}

// sendable is the error WhatsApp answers a send of the template with: a
// missing or unapproved one is 132001, paused 132015, disabled 132016.
func (t Template) sendable(exists bool) *GraphError {
	var e GraphError
	switch {
	case !exists || t.Status == "PENDING" || t.Status == "REJECTED":
		e = ErrWATemplate
	case t.Status == "PAUSED":
		e = ErrWATemplatePaused
	case t.Status == "DISABLED":
		e = ErrWATemplateDisabled
	default:
		return nil
	}
	return &e
}

// json is the template as listed: the asked fields, always with the id.
func (t Template) json(fields map[string]bool) map[string]any {
	var comps []any
	if t.Header != "" {
		comps = append(comps, map[string]any{"type": "HEADER", "format": "TEXT", "text": t.Header})
	}
	comps = append(comps, map[string]any{"type": "BODY", "text": t.Body})
	if t.Footer != "" {
		comps = append(comps, map[string]any{"type": "FOOTER", "text": t.Footer})
	}
	all := map[string]any{"name": t.Name, "language": t.Language, "status": t.Status, "category": t.Category, "components": comps}
	out := map[string]any{"id": t.id}
	for k, v := range all {
		if fields[k] {
			out[k] = v
		}
	}
	return out
}

// defaultTemplateFields are returned when the call names no fields.
var defaultTemplateFields = map[string]bool{"name": true, "status": true, "language": true, "category": true}

// listTemplates answers GET /{waba-id}/message_templates with cursor
// paging (limit, after); s.mu is held.
func (s *Server) listTemplates(wabaID, token string, q url.Values) (int, any) {
	var all []Template
	authorized := false
	for _, a := range s.accounts {
		if a.kind != KindWhatsApp || a.wabaID != wabaID {
			continue
		}
		authorized = authorized || a.token == token && token != ""
		for _, t := range a.templates {
			all = append(all, t)
		}
	}
	if !authorized {
		return errAnswer(GraphError{HTTPStatus: 401, Code: 190, Type: "OAuthException", Message: "Invalid OAuth access token - Cannot parse access token"})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].id < all[j].id })
	limit := 25
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errAnswer(badParam("Param limit must be a positive integer"))
		}
		limit = n
	}
	start := 0
	if after := q.Get("after"); after != "" {
		n, err := decodeCursor(after)
		if err != nil || n > len(all) {
			return errAnswer(badParam("Invalid cursor"))
		}
		start = n
	}
	fields := defaultTemplateFields
	if f := q.Get("fields"); f != "" {
		fields = map[string]bool{}
		for _, k := range strings.Split(f, ",") {
			fields[strings.TrimSpace(k)] = true
		}
	}
	end := min(start+limit, len(all))
	data := []any{}
	for _, t := range all[start:end] {
		data = append(data, t.json(fields))
	}
	paging := map[string]any{"cursors": map[string]any{"before": encodeCursor(start), "after": encodeCursor(end)}}
	if end < len(all) {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("after", encodeCursor(end))
		paging["next"] = s.URL + "/v25.0/" + wabaID + "/message_templates?" + next.Encode()
	}
	return 200, map[string]any{"data": data, "paging": paging}
}

func encodeCursor(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(n)))
}

func decodeCursor(c string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
}
