package widget

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley"
)

// legacyStore is what moving legacy uploads needs of the store.
type legacyStore interface {
	parley.FileService
	FindMessagesWithAttachmentURL(ctx context.Context, p parley.Platform, fragment string) ([]*parley.Message, error)
}

// MigrateLegacyUploads moves the uploads kept in LegacyFilesDir/widget
// (from before the widget used the attachment store) into the store, so
// that erasure, the export and the janitor treat them like every other
// file. Each one a message carries is stored, recorded as that message's
// file and the message points at it; one no message carries was never
// sent, or its contact was erased, and is deleted. It runs at startup on
// every node: a node claims a file by renaming its sidecar, so two never
// move the same one. Failures are logged and leave the file readable where
// it was. It reports how many files it moved or deleted.
func (h *Handler) MigrateLegacyUploads(ctx context.Context) (int, error) {
	blobs, _ := h.fileStore()
	st, ok := h.cfg.Store.(legacyStore)
	if blobs == nil || !ok || h.cfg.LegacyFilesDir == "" {
		return 0, nil
	}
	dir := filepath.Join(h.cfg.LegacyFilesDir, "widget")
	sidecars, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	claimed, _ := filepath.Glob(filepath.Join(dir, "*.json.moving")) // a node stopped midway
	sidecars = append(sidecars, claimed...)
	if len(sidecars) == 0 {
		return 0, nil
	}
	msgs, err := st.FindMessagesWithAttachmentURL(ctx, parley.PlatformWidget, legacyFilesPath)
	if err != nil {
		return 0, err
	}
	carriers := map[string][]*parley.Message{}
	for _, m := range msgs {
		for _, a := range m.Attachments {
			if id, ok := legacyID(a); ok && !containsMessage(carriers[id], m) {
				carriers[id] = append(carriers[id], m)
			}
		}
	}
	done := 0
	for _, sc := range sidecars {
		id, _, _ := strings.Cut(filepath.Base(sc), ".")
		if !validFileID(id) {
			continue
		}
		moved, err := h.migrateLegacy(ctx, blobs, st, sc, id, carriers[id])
		if err != nil {
			h.log.WarnContext(ctx, "moving a legacy widget upload into the file store", "file", id, "err", err)
		} else if moved {
			done++
		}
	}
	return done, nil
}

func (h *Handler) migrateLegacy(ctx context.Context, blobs parley.FileStore, st legacyStore, sidecar, id string, carriers []*parley.Message) (bool, error) {
	claim := h.legacyPath(id) + ".json.moving"
	if sidecar != claim {
		if err := os.Rename(sidecar, claim); errors.Is(err, fs.ErrNotExist) {
			return false, nil // another node took it
		} else if err != nil {
			return false, err
		}
	}
	if len(carriers) > 0 {
		if err := h.storeLegacy(ctx, blobs, st, claim, id, carriers); err != nil {
			_ = os.Rename(claim, h.legacyPath(id)+".json") // still served where it was
			return false, err
		}
	}
	if err := os.Remove(h.legacyPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return true, os.Remove(claim)
}

// storeLegacy stores the bytes of legacy upload id, records them as the
// first carrier's file, and points every carrier's attachment at them.
func (h *Handler) storeLegacy(ctx context.Context, blobs parley.FileStore, st legacyStore, claim, id string, carriers []*parley.Message) error {
	data, err := os.ReadFile(claim)
	var meta legacyMeta
	if err == nil {
		err = json.Unmarshal(data, &meta)
	}
	var body *os.File
	if err == nil {
		body, err = os.Open(h.legacyPath(id))
	}
	if err != nil {
		return err
	}
	defer body.Close()
	blob, err := blobs.Put(ctx, body, max(meta.Size, 1))
	if err != nil {
		return err
	}
	first := carriers[0]
	f := &parley.File{Key: blob.Key, Filename: meta.Filename, ContentType: meta.ContentType, Size: blob.Size, SHA256: blob.SHA256,
		ContactID: first.ContactID, ConversationID: &first.ConversationID, MessageID: &first.ID}
	if f.ContactID == nil {
		f.ContactID = &meta.ContactID
	}
	if err := st.CreateFile(ctx, f); err != nil {
		_ = blobs.Delete(context.WithoutCancel(ctx), blob.Key)
		return err
	}
	for _, m := range carriers {
		atts := append([]parley.Attachment(nil), m.Attachments...)
		for i, a := range atts {
			if legacy, ok := legacyID(a); ok && legacy == id {
				att := f.Attachment()
				att.Caption = a.Caption
				atts[i] = att
			}
		}
		if _, err := st.UpdateMessageAttachments(ctx, m.ID, atts); err != nil {
			return err
		}
	}
	return nil
}

// legacyID is the legacy upload an attachment points at, if any.
func legacyID(a parley.Attachment) (string, bool) {
	_, id, ok := strings.Cut(a.URL, legacyFilesPath)
	return id, ok && a.StorageKey == "" && validFileID(id)
}

func containsMessage(ms []*parley.Message, m *parley.Message) bool {
	for _, x := range ms {
		if x.ID == m.ID {
			return true
		}
	}
	return false
}
