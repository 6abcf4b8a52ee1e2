package httpapi

import "net/http/httptest"

// RoutePatterns lists the patterns registered from the route table.
func (s *Server) RoutePatterns() []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.pattern()
	}
	return out
}

// MatchedPattern is the pattern the server's mux routes method+path to.
func (s *Server) MatchedPattern(method, path string) string {
	_, pattern := s.mux.Handler(httptest.NewRequest(method, path, nil))
	return pattern
}
