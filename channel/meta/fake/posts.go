package fake

import (
	"net/url"
	"strings"
)

// post is a Page post or an Instagram media object an account published.
type post struct {
	text, link string
}

// postFields are the fields each kind of object has: a Page post's
// message and permalink_url, Instagram media's caption and permalink.
var postFields = map[string][2]string{KindPage: {"message", "permalink_url"}, KindInstagram: {"caption", "permalink"}}

// SetPost publishes a Page post (or Instagram media) the Graph API then
// answers GET /{id}?fields=… for, with the account's token.
func (s *Server) SetPost(accountID, id, text, link string) {
	s.withAccount(accountID, func(a *account) {
		if a.posts == nil {
			a.posts = map[string]post{}
		}
		a.posts[id] = post{text: text, link: link}
	})
}

// getPost answers GET /{post-id}?fields=message,permalink_url and
// GET /{ig-media-id}?fields=caption,permalink; ok is false when no account
// has the object.
func (s *Server) getPost(id, token string, q url.Values) (status int, answer any, ok bool) {
	for _, a := range s.accounts {
		p, found := a.posts[id]
		if !found {
			continue
		}
		if token != a.token {
			st, ans := errAnswer(GraphError{HTTPStatus: 401, Code: 190, Type: "OAuthException", Message: "Invalid OAuth access token - Cannot parse access token"})
			return st, ans, true
		}
		names := postFields[a.kind]
		out := map[string]any{"id": id}
		fields := q.Get("fields")
		if fields == "" {
			fields = "id"
		}
		for _, f := range strings.Split(fields, ",") {
			switch strings.TrimSpace(f) {
			case "id":
			case names[0]:
				out[names[0]] = p.text
			case names[1]:
				out[names[1]] = p.link
			default:
				st, ans := errAnswer(badParam("Tried accessing nonexisting field (%s) on node type (%s)", f, nodeType(a.kind)))
				return st, ans, true
			}
		}
		return 200, out, true
	}
	return 0, nil, false
}

func nodeType(kind string) string {
	if kind == KindInstagram {
		return "IGMedia"
	}
	return "PagePost"
}
