package widget

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
)

// dist holds the built widget (ui/ → npm run build). It is committed, and
// CI rebuilds it and fails if it differs.
//
//go:embed dist/widget.js
var dist embed.FS

// script is the widget as served: the bytes, their gzip form and an ETag.
type script struct {
	raw, gz []byte
	etag    string
}

var loadScript = sync.OnceValue(func() *script {
	raw, err := dist.ReadFile("dist/widget.js")
	if err != nil {
		panic("widget: dist/widget.js is not embedded: " + err.Error())
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	sum := sha256.Sum256(raw)
	return &script{raw: raw, gz: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
})

// ScriptSize is the widget's size in bytes, raw and gzipped.
func ScriptSize() (raw, gzipped int) {
	s := loadScript()
	return len(s.raw), len(s.gz)
}

// serveScript answers GET /widget/v1/widget.js: cacheable for a few
// minutes (so a new release reaches sites soon), revalidated by ETag.
func (h *Handler) serveScript(w http.ResponseWriter, r *http.Request) {
	s := loadScript()
	hd := w.Header()
	hd.Set("Content-Type", "text/javascript; charset=utf-8")
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("ETag", s.etag)
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Add("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := s.raw
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		hd.Set("Content-Encoding", "gzip")
		body = s.gz
	}
	w.Write(body)
}
