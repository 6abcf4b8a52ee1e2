package store

import (
	"encoding/base64"
	"encoding/json"

	"github.com/parleyhq/parley"
)

// Cursors are the keyset position after the last row of a page, as
// base64url JSON: opaque to clients, and no OFFSET scans.

func encodeCursor(v any) string {
	b, _ := json.Marshal(v) // cursors are plain structs of numbers and times
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return parley.Errorf(parley.EINVALID, "invalid cursor")
	}
	return nil
}
