package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley"
)

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only unencodable values (a bug) get here; say so without details.
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// PageOf is the JSON of every list: {"items":[…],"next_cursor":"…"}. The
// cursor is empty on the last page.
type PageOf[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func pageOf[T any](items []T, next string) PageOf[T] {
	if items == nil {
		items = []T{}
	}
	return PageOf[T]{Items: items, NextCursor: next}
}

// decodeJSON reads one JSON object into dst, refusing unknown fields (a
// typo'd field would otherwise be silently ignored), trailing data and
// bodies over maxAPIBodyBytes.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return parley.Errorf(parley.EINVALID, "request body must hold a single JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case isMaxBytes(err):
		return parley.Errorf(parley.ETOOLARGE, "request body exceeds %d bytes", maxAPIBodyBytes)
	case errors.Is(err, io.EOF):
		return parley.Errorf(parley.EINVALID, "request body is empty; a JSON object is required")
	case errors.As(err, &syntax):
		return parley.Errorf(parley.EINVALID, "malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typeErr):
		return parley.Errorf(parley.EINVALID, "field %q must be %s", typeErr.Field, typeErr.Type)
	}
	// Unknown fields and other decoder messages are safe to show.
	return parley.WrapError(parley.EINVALID, err, "invalid JSON body: %v", err)
}
