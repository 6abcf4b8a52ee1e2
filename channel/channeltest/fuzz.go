package channeltest

import (
	"bytes"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

const defaultFuzzIterations = 1000

// FuzzParseWebhook is the body of an adapter's `go test -fuzz` target:
//
//	func FuzzParseWebhook(f *testing.F) { channeltest.FuzzParseWebhook(f, kit()) }
//
// It seeds the corpus with Kit.Valid and a few mutations of each, then
// checks CheckParse on every input the fuzzer makes.
func FuzzParseWebhook(f *testing.F, k Kit) {
	a, ch := k.New(f)
	rnd := rand.New(rand.NewPCG(7, 11))
	for _, body := range k.Valid {
		f.Add(body)
		for range 4 {
			f.Add(Mutate(rnd, body))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) { CheckParse(t, a, ch, body) })
}

// checkQuickFuzz is a bounded, deterministic fuzz loop that runs with every
// `go test`, so mutated bodies are covered without -fuzz.
func checkQuickFuzz(t *testing.T, k Kit) {
	a, ch := k.New(t)
	n := k.FuzzIterations
	if n <= 0 {
		n = defaultFuzzIterations
	}
	rnd := rand.New(rand.NewPCG(42, uint64(len(k.Valid))))
	for i := range n {
		body := k.Valid[i%len(k.Valid)]
		mutated := Mutate(rnd, body)
		CheckParse(t, a, ch, mutated)
		// Raw-byte signatures must refuse any change. (Form-encoded
		// platforms sign the parameters, so some byte changes are harmless
		// there: only JSON bodies are checked.)
		if _, isJSON := decodeJSON(body); isJSON && !bytes.Equal(mutated, body) {
			mustRefuse(t, "mutated body under the original signature", a, signedRequest(t, k, ch, body), mutated)
		}
	}
}

// Mutate returns a damaged copy of body: bytes flipped, cut, repeated or
// inserted, or (for JSON) one value replaced by a value of another shape.
func Mutate(rnd *rand.Rand, body []byte) []byte {
	if doc, ok := decodeJSON(body); ok && rnd.IntN(2) == 0 {
		return mutateJSON(rnd, doc)
	}
	return mutateBytes(rnd, bytes.Clone(body))
}

func mutateBytes(rnd *rand.Rand, b []byte) []byte {
	if len(b) == 0 {
		return []byte{byte(rnd.IntN(256))}
	}
	i := rnd.IntN(len(b))
	switch rnd.IntN(6) {
	case 0: // flip bits
		b[i] ^= byte(1 + rnd.IntN(255))
		return b
	case 1: // truncate
		return b[:i]
	case 2: // cut a range
		j := min(len(b), i+1+rnd.IntN(16))
		return append(b[:i:i], b[j:]...)
	case 3: // repeat a range
		j := min(len(b), i+1+rnd.IntN(32))
		return append(b[:j:j], b[i:]...)
	case 4: // insert a JSON-significant byte
		c := `{}[],:"\0 -.e`[rnd.IntN(13)]
		return append(b[:i:i], append([]byte{c}, b[i:]...)...)
	default: // invalid UTF-8
		return append(b[:i:i], append([]byte{0xff, 0xfe}, b[i:]...)...)
	}
}

// mutateJSON replaces one randomly chosen value of doc.
func mutateJSON(rnd *rand.Rand, doc any) []byte {
	count := countNodes(doc)
	target := rnd.IntN(count)
	seen := 0
	doc = replaceNode(doc, target, &seen, func(old any) any { return oddValue(rnd, old) })
	out, err := json.Marshal(doc)
	if err != nil {
		return []byte("{")
	}
	return out
}

func countNodes(doc any) int {
	n := 1
	switch v := doc.(type) {
	case map[string]any:
		for _, child := range v {
			n += countNodes(child)
		}
	case []any:
		for _, child := range v {
			n += countNodes(child)
		}
	}
	return n
}

// replaceNode walks doc depth-first, object keys sorted so that a seed
// always damages the same value, and replaces the target-th node.
func replaceNode(doc any, target int, seen *int, replace func(any) any) any {
	if *seen == target {
		*seen++
		return replace(doc)
	}
	*seen++
	switch v := doc.(type) {
	case map[string]any:
		for _, key := range slices.Sorted(maps.Keys(v)) {
			v[key] = replaceNode(v[key], target, seen, replace)
		}
	case []any:
		for i, child := range v {
			v[i] = replaceNode(child, target, seen, replace)
		}
	}
	return doc
}

// oddValue is a value of a shape the adapter may not expect.
func oddValue(rnd *rand.Rand, old any) any {
	switch rnd.IntN(16) {
	case 0:
		return nil
	case 1:
		return ""
	case 2:
		return json.Number("0")
	case 3:
		return json.Number("-1")
	case 4:
		return json.Number("1e308")
	case 5:
		return json.Number("123456789012345678901234567890")
	case 6:
		return []any{}
	case 7:
		return map[string]any{}
	case 8:
		return true
	case 9:
		return strings.Repeat("ü", 1+rnd.IntN(5000))
	case 10:
		return []any{old, old}
	case 12: // times that parse but cannot be encoded as JSON once in UTC
		return "0000-01-01T00:00:00+01:00"
	case 13:
		return "9999-12-31T23:59:59-01:00"
	case 14: // unix seconds or milliseconds beyond year 9999, as number and string
		return json.Number("253402300800000")
	case 15:
		return "-62135596801"
	default:
		return map[string]any{"wrapped": old}
	}
}
