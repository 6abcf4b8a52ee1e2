package email

import (
	"strings"

	"github.com/parleyhq/parley"
)

// AuthResults is one Authentication-Results header field (RFC 8601): what
// the server named by AuthServID found when it checked the mail.
type AuthResults struct {
	AuthServID string       // lower-cased
	Results    []AuthResult // empty for "none"
}

// AuthResult is one method's verdict, e.g. dkim=pass header.d=example.com.
type AuthResult struct {
	Method string            // lower-cased, without a version: "dmarc", "dkim", "spf"
	Result string            // lower-cased: "pass", "fail", "none", …
	Props  map[string]string // "header.from", "header.d", "smtp.mailfrom", … (keys lower-cased)
}

// ParseAuthResults reads one Authentication-Results header value. It
// never panics on hostile input: the header comes from whoever sent the
// mail until a trusted server vouches for it. Malformed result clauses are
// skipped; only a missing authserv-id is an error.
func ParseAuthResults(v string) (AuthResults, error) {
	clauses := splitClauses(lexAuthResults(v))
	var out AuthResults
	if len(clauses) == 0 || len(clauses[0]) == 0 || clauses[0][0].special || clauses[0][0].text == "" {
		return out, parley.Errorf(parley.EINVALID, "Authentication-Results without an authserv-id")
	}
	out.AuthServID = strings.ToLower(clauses[0][0].text)
	for _, c := range clauses[1:] {
		if r, ok := parseResultClause(c); ok {
			out.Results = append(out.Results, r)
		}
	}
	return out, nil
}

// authToken is a word, a quoted string (special false) or one of ;=.
type authToken struct {
	text    string
	special bool
}

// lexAuthResults drops comments and folding whitespace and splits the
// value into words, quoted strings and the separators ";" and "=".
func lexAuthResults(v string) []authToken {
	var toks []authToken
	for i := 0; i < len(v); {
		switch c := v[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ')': // a stray ")" closes nothing
			i++
		case c == '(':
			i = skipComment(v, i)
		case c == '"':
			var s string
			s, i = quotedString(v, i)
			toks = append(toks, authToken{text: s})
		case c == ';' || c == '=':
			toks = append(toks, authToken{text: string(c), special: true})
			i++
		default:
			j := i
			for j < len(v) && !strings.ContainsRune(" \t\r\n();=\"", rune(v[j])) {
				j++
			}
			toks = append(toks, authToken{text: v[i:j]})
			i = j
		}
	}
	return toks
}

// skipComment returns the index after the comment starting at v[i];
// comments nest and may escape characters with a backslash.
func skipComment(v string, i int) int {
	depth := 0
	for ; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(v)
}

// quotedString returns the unescaped content of the quoted string at v[i]
// and the index after it.
func quotedString(v string, i int) (string, int) {
	var b strings.Builder
	for i++; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if i+1 < len(v) {
				i++
				b.WriteByte(v[i])
			}
		case '"':
			return b.String(), i + 1
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String(), len(v)
}

func splitClauses(toks []authToken) [][]authToken {
	clauses := [][]authToken{{}}
	for _, t := range toks {
		if t.special && t.text == ";" {
			clauses = append(clauses, []authToken{})
			continue
		}
		clauses[len(clauses)-1] = append(clauses[len(clauses)-1], t)
	}
	return clauses
}

// parseResultClause reads "method[/version] = result [reason=…] [ptype.property=value …]".
func parseResultClause(c []authToken) (AuthResult, bool) {
	if len(c) < 3 || c[0].special || !isEquals(c[1]) || c[2].special {
		return AuthResult{}, false
	}
	method, _, _ := strings.Cut(strings.ToLower(c[0].text), "/")
	r := AuthResult{Method: strings.TrimSpace(method), Result: strings.ToLower(c[2].text), Props: map[string]string{}}
	if r.Method == "" {
		return AuthResult{}, false
	}
	for i := 3; i+2 < len(c); {
		if c[i].special || !isEquals(c[i+1]) || c[i+2].special {
			i++ // a stray token (e.g. "=" inside an unquoted signature): resynchronise
			continue
		}
		key := strings.ToLower(c[i].text)
		if _, seen := r.Props[key]; !seen {
			r.Props[key] = c[i+2].text
		}
		i += 3
	}
	return r, true
}

func isEquals(t authToken) bool { return t.special && t.text == "=" }

// SenderAuth decides whether a mail's From address is verified, from the
// Authentication-Results a trusted server (TrustedIDs, its authserv-ids)
// added. Rule: the topmost header of a trusted authserv-id decides, since
// a receiving server adds its header above what the mail already carried;
// it verifies From when it reports
//   - dmarc=pass for the From domain (header.from, when given, must match): DMARC
//     itself checked alignment; or
//   - dkim=pass with a signing domain (header.d, else header.i's domain)
//     equal to the From domain; or
//   - spf=pass with an envelope sender domain (smtp.mailfrom) equal to
//     the From domain.
//
// DKIM and SPF are aligned strictly (equal domains): relaxed alignment
// needs the public suffix list, and a DMARC verdict already covers it.
type SenderAuth struct {
	TrustedIDs []string
}

// Verified reports whether headers (the Authentication-Results values, top
// first) vouch for from.
func (s SenderAuth) Verified(headers []string, from string) bool {
	_, domain, ok := strings.Cut(FoldAddress(from), "@")
	if !ok || domain == "" {
		return false
	}
	for _, h := range headers {
		ar, err := ParseAuthResults(h)
		if err != nil || !s.trusts(ar.AuthServID) {
			continue
		}
		for _, r := range ar.Results {
			if r.Result == "pass" && passesFor(r, domain) {
				return true
			}
		}
		return false
	}
	return false
}

func (s SenderAuth) trusts(id string) bool {
	for _, t := range s.TrustedIDs {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" && t == id {
			return true
		}
	}
	return false
}

func passesFor(r AuthResult, domain string) bool {
	switch r.Method {
	case "dmarc":
		from, ok := r.Props["header.from"]
		return !ok || domainOf(from) == domain
	case "dkim":
		d := r.Props["header.d"]
		if d == "" {
			d = domainOf(r.Props["header.i"])
		}
		return strings.ToLower(d) == domain
	case "spf":
		return domainOf(r.Props["smtp.mailfrom"]) == domain
	}
	return false
}

// domainOf is the domain of an address, or the value itself when it is
// already a bare domain.
func domainOf(v string) string {
	v = FoldAddress(strings.Trim(v, "<>"))
	if i := strings.LastIndexByte(v, '@'); i >= 0 {
		return v[i+1:]
	}
	return v
}

// ParseTrustedIDs splits a comma-separated list of authserv-ids.
func ParseTrustedIDs(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}
