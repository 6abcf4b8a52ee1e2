package app

import (
	"fmt"
	"path/filepath"

	"github.com/parleyhq/parley/filestore"
)

// openFiles opens the attachment store under DataDir/files (beside the
// widget's own uploads in files/widget) and the signer of its public links,
// keyed by the instance secret so every node signs alike.
func (a *App) openFiles() error {
	var err error
	if a.Files, err = filestore.OpenDisk(filepath.Join(a.Config.DataDir, "files")); err != nil {
		return fmt.Errorf("opening the file store: %w", err)
	}
	key, err := a.Config.secretKey()
	if err != nil {
		return err
	}
	a.FileURLs = filestore.NewSigner(key, a.Config.PublicURL)
	return nil
}
