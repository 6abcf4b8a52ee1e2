// Package web holds the browser applications. Their sources are built with
// Vite (npm run build) into dist/, which is committed so that `go build`
// needs no Node toolchain.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist/agent
var dist embed.FS

// Agent is the built agent workspace: index.html at its root and hashed
// assets under assets/. Serve index.html for any unknown non-API path so that
// the app's own routes (/inbox/…, /setup?token=…) load on refresh.
var Agent fs.FS = mustSub(dist, "dist/agent")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic("web: " + err.Error()) // only if the embed pattern above is wrong
	}
	return sub
}
