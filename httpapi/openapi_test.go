package httpapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley/httpapi"
)

func MustOpenAPI(tb testing.TB, h http.Handler) map[string]any {
	tb.Helper()
	rec := Do(tb, h, Req{Method: "GET", Path: "/api/v1/openapi.json"})
	if rec.Code != http.StatusOK {
		tb.Fatalf("openapi.json: %d %s", rec.Code, rec.Body)
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		tb.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

var braces = regexp.MustCompile(`\{[^}]+\}`)

// samplePath fills path parameters with values the patterns accept.
func samplePath(p string) string {
	return braces.ReplaceAllStringFunc(p, func(name string) string {
		if strings.HasSuffix(strings.ToLower(name), "id}") {
			return "7"
		}
		return "sample"
	})
}

func TestOpenAPIDescribesExactlyTheRegisteredRoutes(t *testing.T) {
	srv := httpapi.New(httpapi.Config{})
	doc := MustOpenAPI(t, srv)
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi version = %v", doc["openapi"])
	}
	paths, _ := doc["paths"].(map[string]any)
	documented := map[string]bool{}
	for path, item := range paths {
		for method := range item.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	t.Run("every registered route is documented", func(t *testing.T) {
		for _, pattern := range srv.RoutePatterns() {
			if !documented[pattern] {
				t.Errorf("route %s is not in openapi.json", pattern)
			}
		}
	})
	t.Run("every documented operation is served by its own route", func(t *testing.T) {
		for op := range documented {
			method, path, _ := strings.Cut(op, " ")
			if got := srv.MatchedPattern(method, samplePath(path)); got != op {
				t.Errorf("%s %s is routed to %q", method, samplePath(path), got)
			}
		}
	})
	t.Run("the architecture's surface is all there", func(t *testing.T) {
		for _, op := range []string{
			"POST /api/v1/auth/login", "POST /api/v1/auth/logout", "POST /api/v1/setup", "GET /api/v1/me", "PATCH /api/v1/me",
			"GET /api/v1/conversations", "GET /api/v1/conversations/counts", "GET /api/v1/conversations/{id}",
			"PATCH /api/v1/conversations/{id}", "POST /api/v1/conversations/{id}/merge", "POST /api/v1/conversations/bulk",
			"GET /api/v1/conversations/{id}/messages", "POST /api/v1/conversations/{id}/messages", "POST /api/v1/messages/{id}/retry",
			"GET /api/v1/contacts", "POST /api/v1/contacts", "GET /api/v1/contacts/{id}", "PATCH /api/v1/contacts/{id}",
			"GET /api/v1/contacts/{id}/conversations", "GET /api/v1/tags", "POST /api/v1/tags", "DELETE /api/v1/tags/{name}",
			"GET /api/v1/agents", "POST /api/v1/agents", "PATCH /api/v1/agents/{id}", "GET /api/v1/teams", "POST /api/v1/teams",
			"PATCH /api/v1/teams/{id}", "DELETE /api/v1/teams/{id}", "GET /api/v1/channels", "POST /api/v1/channels",
			"GET /api/v1/channels/{id}", "PATCH /api/v1/channels/{id}", "DELETE /api/v1/channels/{id}", "GET /api/v1/tokens",
			"POST /api/v1/tokens", "DELETE /api/v1/tokens/{id}", "GET /api/v1/search", "GET /api/v1/ws", "GET /api/v1/openapi.json",
			"GET /hooks/{platform}/{channelID}", "POST /hooks/{platform}/{channelID}", "GET /metrics", "GET /healthz", "GET /readyz",
		} {
			if !documented[op] {
				t.Errorf("%s missing", op)
			}
		}
	})
	t.Run("every schema reference resolves", func(t *testing.T) {
		schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
		for _, name := range []string{"Conversation", "Contact", "Message", "Agent", "Channel", "Error", "ConversationUpdate"} {
			if _, ok := schemas[name]; !ok {
				t.Errorf("schema %s missing", name)
			}
		}
		walkRefs(doc, func(ref string) {
			name, ok := strings.CutPrefix(ref, "#/components/schemas/")
			if _, found := schemas[name]; !ok || !found {
				t.Errorf("dangling $ref %q", ref)
			}
		})
	})
	t.Run("channel schemas never expose secrets", func(t *testing.T) {
		ch := doc["components"].(map[string]any)["schemas"].(map[string]any)["Channel"].(map[string]any)
		if _, ok := ch["properties"].(map[string]any)["secrets"]; ok {
			t.Error("Channel schema has a secrets property")
		}
	})
	t.Run("operation ids are unique", func(t *testing.T) {
		seen := map[string]bool{}
		for _, item := range paths {
			for _, op := range item.(map[string]any) {
				id := op.(map[string]any)["operationId"].(string)
				if seen[id] {
					t.Errorf("duplicate operationId %s", id)
				}
				seen[id] = true
			}
		}
	})
}

func walkRefs(v any, visit func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				visit(s)
			}
			walkRefs(x, visit)
		}
	case []any:
		for _, x := range v {
			walkRefs(x, visit)
		}
	}
}
