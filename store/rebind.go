package store

import "strings"

// rebindPositional rewrites $n placeholders as plain ? with the arguments
// in order of appearance (repeated where a placeholder is reused). SQLite
// resolves named and numbered parameters through a list it searches for
// every occurrence, which costs seconds on a 5,000-parameter batch insert;
// plain ? parameters are numbered as they are parsed, for free.
// Placeholders inside quoted strings and identifiers are left alone.
func rebindPositional(q string, args []any) (string, []any) {
	if !strings.Contains(q, "$") {
		return q, args
	}
	var b strings.Builder
	b.Grow(len(q))
	out := make([]any, 0, len(args))
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(q[i+1:], c)
			if end < 0 {
				b.WriteString(q[i:])
				return b.String(), out
			}
			b.WriteString(q[i : i+end+2])
			i += end + 1
		case c == '$' && i+1 < len(q) && q[i+1] >= '1' && q[i+1] <= '9':
			j := i + 1
			n := 0
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				n = n*10 + int(q[j]-'0')
				j++
			}
			if n > len(args) {
				// Leave it for the driver to report the missing argument.
				b.WriteString(q[i:j])
			} else {
				b.WriteByte('?')
				out = append(out, args[n-1])
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), out
}
