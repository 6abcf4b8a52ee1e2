package widget

import (
	_ "embed"
	"html/template"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley"
)

var (
	//go:embed demo/demo.html
	demoHTML string
	//go:embed demo/demo.css
	demoCSS     []byte
	demoPage    = template.Must(template.New("demo").Parse(demoHTML))
	demoCSPBase = "default-src 'none'; style-src 'self'; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

type demoData struct {
	Base, Script, Snippet, CSP string
	Channels                   []*parley.Channel
	Broken                     []brokenChannel
	Selected                   int64
}

// brokenChannel is a widget channel visitors cannot use yet, and why.
type brokenChannel struct {
	Name, Problem string
	ID            int64
}

// serveDemo answers GET /widget/demo: a plain page, under the strict CSP
// it documents, where a new user tries their own widget channels.
func (h *Handler) serveDemo(w http.ResponseWriter, r *http.Request) {
	channels, err := h.cfg.Store.FindChannels(r.Context())
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	base := h.publicBase(r)
	d := demoData{Base: base, Script: base + "/widget/v1/widget.js"}
	for _, ch := range channels {
		if ch.Platform != parley.PlatformWidget || ch.Status == parley.ChannelDisabled {
			continue
		}
		if _, err := New(ch); err != nil {
			d.Broken = append(d.Broken, brokenChannel{Name: ch.Name, ID: ch.ID, Problem: parley.ErrorMessage(err)})
			continue
		}
		d.Channels = append(d.Channels, ch)
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("channel"), 10, 64); err == nil {
		for _, ch := range d.Channels {
			if ch.ID == id {
				d.Selected = id
			}
		}
	}
	d.Snippet = `<script src="` + d.Script + `" data-channel="` + itoa(d.Selected) + `" async></script>`
	d.CSP = HostCSP(base)
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", demoCSPBase+"; script-src "+base+"; connect-src "+base+" "+wsOrigin(base))
	if err := demoPage.Execute(w, d); err != nil {
		h.log.Warn("rendering widget demo", "err", err)
	}
}

func (h *Handler) serveDemoAsset(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(demoCSS)
}

// HostCSP is the Content-Security-Policy directives a host page needs for
// the widget served from base (e.g. "https://help.example.com"): the
// script, its HTTP and WebSocket connections, and uploaded images. The
// widget injects no inline script or style and never calls eval: its
// styles are constructed style sheets inside its shadow root.
func HostCSP(base string) string {
	return "script-src " + base + "; connect-src " + base + " " + wsOrigin(base) + "; img-src " + base + " blob:"
}

// wsOrigin is the WebSocket origin of an http(s) base.
func wsOrigin(base string) string {
	if rest, ok := cutPrefix(base, "https://"); ok {
		return "wss://" + rest
	}
	rest, _ := cutPrefix(base, "http://")
	return "ws://" + rest
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}
