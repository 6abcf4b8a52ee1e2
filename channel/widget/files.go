package widget

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/parleyhq/parley"
)

// fileStore returns the attachment store and its records, or nils when
// this handler keeps no files.
func (h *Handler) fileStore() (parley.FileStore, parley.FileService) {
	records, ok := h.cfg.Store.(parley.FileService)
	if h.cfg.Files == nil || !ok {
		return nil, nil
	}
	return h.cfg.Files, records
}

// visitorFileURL is the address a visitor's browser loads a stored file
// from: the signed public link (an <img> cannot send the visitor's token),
// else the visitor-authorised path.
func (h *Handler) visitorFileURL(channelID int64, key string) string {
	if h.cfg.FileURL != nil {
		return h.cfg.FileURL(key)
	}
	return h.cfg.PublicURL + "/widget/v1/channels/" + itoa(channelID) + "/files/" + key
}

// ownFile loads a stored file the visitor may use: one recorded for the
// visitor's own contact (their uploads, and agents' files sent to them).
// Anything else is "not found", so keys of other visitors cannot be probed.
func (h *Handler) ownFile(ctx context.Context, contactID int64, key string) (*parley.File, error) {
	notFound := parley.Errorf(parley.ENOTFOUND, "file not found")
	_, records := h.fileStore()
	if records == nil || !validFileID(key) {
		return nil, notFound
	}
	f, err := records.FindFileByKey(ctx, key)
	if parley.ErrorCode(err) == parley.ENOTFOUND || err == nil && (f.ContactID == nil || *f.ContactID != contactID) {
		return nil, notFound
	}
	return f, err
}

// attachments turns the upload keys of a message into attachments; each
// must be this visitor's own upload. They carry the agents' address; the
// visitor's frames get visitor addresses (withFileLinks).
func (h *Handler) attachments(s *socket, keys []string) ([]parley.Attachment, error) {
	var out []parley.Attachment
	for _, key := range keys {
		f, err := h.ownFile(context.Background(), s.visitor.ContactID, key)
		if err == nil && f.AgentID != nil {
			err = parley.Errorf(parley.ENOTFOUND, "file not found")
		}
		if err != nil {
			return nil, err
		}
		out = append(out, f.Attachment())
	}
	return out, nil
}

// serveVisitorFile answers GET /widget/v1/channels/{id}/files/{key} with
// the visitor token as a Bearer credential: a file of the visitor's own
// contact, for scripts that fetch rather than link.
func (h *Handler) serveVisitorFile(w http.ResponseWriter, r *http.Request) {
	_, v, err := h.authorizeVisitor(r)
	var f *parley.File
	if err == nil {
		f, err = h.ownFile(r.Context(), v.ContactID, r.PathValue("key"))
	}
	var rc io.ReadCloser
	if err == nil {
		rc, err = h.cfg.Files.Open(r.Context(), f.Key)
	}
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	defer rc.Close()
	sendFile(w, f.ContentType, f.Filename, f.Size, rc)
}

// sendFile sends a file sandboxed: never run as a page of Parley's origin,
// and shown in place only when a browser can do so safely.
func sendFile(w http.ResponseWriter, contentType, filename string, size int64, body io.Reader) {
	disposition := "attachment"
	if parley.ShowInline(contentType) {
		disposition = "inline"
	}
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": filename}))
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	hd.Set("Cache-Control", "private, max-age=86400")
	hd.Set("Content-Length", strconv.FormatInt(size, 10))
	_, _ = io.Copy(w, body)
}

// Uploads made before the widget used the attachment store lie in
// <LegacyFilesDir>/widget/<id> beside a JSON sidecar. They are only read:
// their addresses are written into stored messages, which the agents'
// inbox and the visitor's history still show.
type legacyMeta struct {
	ContactID   int64  `json:"contact_id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// legacyFilesPath is where legacy uploads are served, to whoever holds the
// 128-bit name (as they always were).
const legacyFilesPath = "/widget/v1/files/"

// validFileID accepts only 128-bit hex names, so a path never leaves the
// upload folder and a key never names anything else.
func validFileID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (h *Handler) legacyPath(id string) string {
	return filepath.Join(h.cfg.LegacyFilesDir, "widget", id)
}

// serveLegacyFile answers GET /widget/v1/files/{name}.
func (h *Handler) serveLegacyFile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("name")
	notFound := parley.Errorf(parley.ENOTFOUND, "file not found")
	if !validFileID(id) || h.cfg.LegacyFilesDir == "" {
		writeError(w, r, h.log, notFound)
		return
	}
	data, err := os.ReadFile(h.legacyPath(id) + ".json")
	var m legacyMeta
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	var f *os.File
	if err == nil {
		f, err = os.Open(h.legacyPath(id))
	}
	if err != nil {
		writeError(w, r, h.log, notFound)
		return
	}
	defer f.Close()
	sendFile(w, m.ContentType, m.Filename, m.Size, f)
}
