package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email"
	"github.com/parleyhq/parley/filestore"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/pipeline"
)

// openFiles opens the attachment store under DataDir/files (where
// files/widget held the widget's uploads from before it used the store;
// moveLegacyWidgetUploads moves them in) and the signer of its public links,
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

// mailFiles connects e-mail adapters to the file store: inbound
// attachments are stored as they are parsed (before their message exists;
// the media worker binds them to it once it is stored), and replies load
// the agent's uploads by storage key.
type mailFiles struct {
	files    parley.FileStore
	meta     parley.FileService
	maxBytes int64
}

func (a *App) mailFiles() *mailFiles {
	return &mailFiles{files: a.Files, meta: a.Store, maxBytes: a.Config.MaxUploadBytes}
}

// adapter builds the e-mail adapter of ch with the file hooks set; it is
// the registry's factory for e-mail channels.
func (m *mailFiles) adapter(ch *parley.Channel) (*email.Adapter, error) {
	ad, err := email.NewAdapter(ch)
	if err != nil {
		return nil, err
	}
	ad.SaveAttachment, ad.LoadAttachment = m.save, m.load
	return ad, nil
}

func (m *mailFiles) factory(ch *parley.Channel) (parley.Adapter, error) { return m.adapter(ch) }

func (m *mailFiles) save(ctx context.Context, att parley.Attachment, data []byte) (string, error) {
	limit := m.maxBytes
	if limit <= 0 {
		limit = pipeline.DefaultMediaMaxBytes
	}
	blob, err := m.files.Put(ctx, bytes.NewReader(data), limit)
	if err != nil {
		return "", err
	}
	f := &parley.File{Key: blob.Key, Filename: att.Filename, ContentType: filestore.ContentType(data[:min(len(data), 512)], att.ContentType),
		Size: blob.Size, SHA256: blob.SHA256}
	if err := m.meta.CreateFile(ctx, f); err != nil {
		_ = m.files.Delete(context.WithoutCancel(ctx), blob.Key)
		return "", err
	}
	metrics.FileBytesStored.WithLabelValues("email").Add(float64(blob.Size))
	return blob.Key, nil
}

// load reads a reply's file from the store. Only stored files are sent:
// fetching a URL named in a reply would let an agent make the server
// fetch anything.
func (m *mailFiles) load(ctx context.Context, att parley.Attachment) ([]byte, error) {
	if att.StorageKey == "" {
		return nil, parley.Errorf(parley.EUNSUPPORTED, "e-mail replies carry uploaded files only")
	}
	rc, err := m.files.Open(ctx, att.StorageKey)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, email.MaxAttachmentBytes+1))
	if err != nil {
		return nil, parley.WrapError(parley.EUNAVAILABLE, err, "reading %s", att.Filename)
	}
	return data, nil
}

// moveLegacyWidgetUploads moves the widget's uploads from before it used
// the file store into it, so erasing a visitor's contact deletes them too.
// A failure only leaves files where they were (still served), so it does
// not stop the node.
func (a *App) moveLegacyWidgetUploads(ctx context.Context) {
	n, err := a.Widget.MigrateLegacyUploads(ctx)
	if err != nil {
		a.Logger.WarnContext(ctx, "moving legacy widget uploads into the file store", "err", err)
	} else if n > 0 {
		a.Logger.InfoContext(ctx, "moved legacy widget uploads into the file store", "files", n)
	}
}
