package app

import (
	"io/fs"

	"github.com/parleyhq/parley/web"
)

// webAssets is the embedded agent workspace.
func webAssets() fs.FS { return web.Agent }
