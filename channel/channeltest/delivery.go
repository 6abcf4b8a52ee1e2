package channeltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
)

func runDeliveryChecks(t *testing.T, k Kit) {
	t.Run("duplicate delivery yields identical events and keys", func(t *testing.T) { checkDuplicates(t, k) })
	t.Run("different events of one body have different keys", func(t *testing.T) { checkDistinctKeys(t, k) })
	t.Run("out-of-order delivery yields the same events", func(t *testing.T) { checkOrder(t, k) })
	t.Run("unknown fields are ignored", func(t *testing.T) { checkUnknownFields(t, k) })
	if k.Batch != nil {
		t.Run("a batch yields every event of its parts", func(t *testing.T) { checkBatch(t, k) })
	}
}

func dedupKeys(events []*parley.InboundEvent, raw []byte) []string {
	keys := make([]string, len(events))
	for i, e := range events {
		keys[i] = e.DedupKey(raw)
	}
	return keys
}

// checkDuplicates parses each body twice, on two adapters (two nodes).
func checkDuplicates(t *testing.T, k Kit) {
	first, ch := k.New(t)
	second, _ := k.New(t)
	for _, body := range k.Valid {
		a := MustParse(t, first, ch, body)
		b := MustParse(t, second, ch, bytes.Clone(body))
		sameEvents(t, "redelivered body", b, a)
		if ka, kb := dedupKeys(a, body), dedupKeys(b, body); !slices.Equal(ka, kb) {
			t.Fatalf("DedupKeys differ on redelivery: %v vs %v", ka, kb)
		}
	}
}

// checkDistinctKeys: the inbound stream de-duplicates by DedupKey, so two
// different events sharing one would lose the second.
func checkDistinctKeys(t *testing.T, k Kit) {
	a, ch := k.New(t)
	bodies := k.Valid
	if k.Batch != nil {
		bodies = append(slices.Clone(bodies), k.Batch(t, k.Valid))
	}
	for _, body := range bodies {
		events := MustParse(t, a, ch, body)
		seen := map[string]string{}
		for _, e := range events {
			js := canonical(t, []*parley.InboundEvent{e})[0]
			key := e.DedupKey(body)
			if prev, ok := seen[key]; ok && prev != js {
				t.Fatalf("two different events share DedupKey %q; the stream would drop one:\n  %s\n  %s", key, prev, js)
			}
			seen[key] = js
		}
	}
}

func checkOrder(t *testing.T, k Kit) {
	a, ch := k.New(t)
	parseAll := func(bodies [][]byte) []*parley.InboundEvent {
		var all []*parley.InboundEvent
		for _, b := range bodies {
			all = append(all, MustParse(t, a, ch, b)...)
		}
		return all
	}
	want := parseAll(k.Valid)
	reversed := slices.Clone(k.Valid)
	slices.Reverse(reversed)
	sameEvents(t, "bodies delivered in reverse", parseAll(reversed), want)
	shuffled := slices.Clone(k.Valid)
	rnd := rand.New(rand.NewPCG(1, 2))
	rnd.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	sameEvents(t, "bodies delivered shuffled", parseAll(shuffled), want)
	if k.Batch != nil {
		sameEvents(t, "batch of reversed bodies", MustParse(t, a, ch, k.Batch(t, reversed)), want)
	}
}

func checkUnknownFields(t *testing.T, k Kit) {
	a, ch := k.New(t)
	checked := 0
	for _, body := range k.Valid {
		doc, ok := decodeJSON(body)
		if !ok {
			continue
		}
		checked++
		n := 0
		extended, err := json.Marshal(addUnknownFields(doc, &n))
		if err != nil {
			t.Fatalf("re-encode body: %v", err)
		}
		sameEvents(t, "body with unknown fields", MustParse(t, a, ch, extended), MustParse(t, a, ch, body))
	}
	if checked == 0 {
		t.Skip("no Valid body is JSON")
	}
}

// decodeJSON decodes body keeping numbers exact (ids beyond 2^53 survive).
func decodeJSON(body []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil || dec.More() {
		return nil, false
	}
	return doc, true
}

// addUnknownFields adds a differently named, oddly shaped field to every
// object in doc, as a platform's next API version might.
func addUnknownFields(doc any, n *int) any {
	switch v := doc.(type) {
	case map[string]any:
		for key, child := range v {
			v[key] = addUnknownFields(child, n)
		}
		*n++
		v[fmt.Sprintf("channeltest_unknown_%d", *n)] = map[string]any{
			"nested": []any{json.Number("1"), "x", nil, map[string]any{"deep": true}},
		}
		return v
	case []any:
		for i, child := range v {
			v[i] = addUnknownFields(child, n)
		}
		return v
	}
	return doc
}

func checkBatch(t *testing.T, k Kit) {
	a, ch := k.New(t)
	var want []*parley.InboundEvent
	for _, body := range k.Valid {
		want = append(want, MustParse(t, a, ch, body)...)
	}
	sameEvents(t, "batch of every Valid body", MustParse(t, a, ch, k.Batch(t, k.Valid)), want)
}
