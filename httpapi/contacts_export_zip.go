package httpapi

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// ContactFile is one stored file of a contact, as the ZIP export needs it.
type ContactFile struct {
	Key            string
	Filename       string
	ContentType    string
	Size           int64
	ConversationID int64 // 0: not bound to a ticket
	MessageID      int64
}

// ContactFileSource lists and opens the files stored about a contact (the
// attachment store's files table and blobs). Without one the ZIP export
// lists the messages' attachments in manifest.json but carries no bytes.
type ContactFileSource interface {
	ContactFiles(ctx context.Context, contactID int64) ([]ContactFile, error)
	OpenContactFile(ctx context.Context, key string) (io.ReadCloser, error)
}

// contactFileFinder is the store side of a contact's files.
type contactFileFinder interface {
	FindContactFiles(ctx context.Context, contactID int64) ([]*parley.File, error)
}

// storedFiles is the ContactFileSource of the server's own file store and
// the store's files table.
type storedFiles struct {
	records contactFileFinder
	blobs   parley.FileStore
}

func (sf storedFiles) ContactFiles(ctx context.Context, contactID int64) ([]ContactFile, error) {
	files, err := sf.records.FindContactFiles(ctx, contactID)
	if err != nil {
		return nil, err
	}
	out := make([]ContactFile, len(files))
	for i, f := range files {
		out[i] = ContactFile{Key: f.Key, Filename: f.Filename, ContentType: f.ContentType, Size: f.Size,
			ConversationID: deref(f.ConversationID), MessageID: deref(f.MessageID)}
	}
	return out, nil
}

func (sf storedFiles) OpenContactFile(ctx context.Context, key string) (io.ReadCloser, error) {
	return sf.blobs.Open(ctx, key)
}

// defaultExportFiles is the file source the export uses when none is
// configured: the server's file store, if the store lists files.
func defaultExportFiles(cfg Config) ContactFileSource {
	finder, ok := cfg.Store.(contactFileFinder)
	if cfg.Files == nil || !ok {
		return nil
	}
	return storedFiles{records: finder, blobs: cfg.Files}
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// exportManifest opens the archive: what it holds and what it could not.
type exportManifest struct {
	Format      string            `json:"format"`
	GeneratedAt time.Time         `json:"generated_at"`
	ContactID   int64             `json:"contact_id"`
	Files       []exportFileEntry `json:"files"`
	Notes       []string          `json:"notes,omitempty"`
}

type exportFileEntry struct {
	Path           string `json:"path,omitempty"` // inside the archive; empty when the bytes are not included
	Key            string `json:"key"`
	Filename       string `json:"filename,omitempty"`
	ContentType    string `json:"content_type,omitempty"`
	Size           int64  `json:"size,omitempty"`
	ConversationID int64  `json:"conversation_id,omitempty"`
	MessageID      int64  `json:"message_id,omitempty"`
}

// exportZipFormat names the archive's layout.
const exportZipFormat = "parley.contact-export.zip.v1"

func (s *Server) handleExportContact(w http.ResponseWriter, r *http.Request) {
	switch format := r.URL.Query().Get("format"); format {
	case "", "json":
		s.exportContactJSON(w, r)
	case "zip":
		s.exportContactZip(w, r)
	default:
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "format must be json or zip, not %.20q", format))
	}
}

func (s *Server) exportContactJSON(w http.ResponseWriter, r *http.Request) {
	s.withContact(w, r, func(st identityStore, id int64) (any, error) {
		x, err := st.ExportContact(r.Context(), id, agentFrom(r.Context()).ID)
		if err == nil {
			w.Header().Set("Content-Disposition", `attachment; filename="contact-`+strconv.FormatInt(id, 10)+`.json"`)
		}
		return x, err
	})
}

// exportContactZip streams the archive: everything is gathered (and the
// request recorded) before the first byte, so errors still get a proper
// status; after that a failure can only cut the stream, which leaves a ZIP
// without its central directory that no reader accepts as complete.
func (s *Server) exportContactZip(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := s.identityStore()
	var id int64
	if err == nil {
		id, err = pathID(r, "id")
	}
	var x *identity.Export
	if err == nil {
		x, err = st.ExportContact(ctx, id, agentFrom(ctx).ID)
	}
	var files []ContactFile
	if err == nil && s.cfg.ExportFiles != nil {
		files, err = s.cfg.ExportFiles.ContactFiles(ctx, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="contact-`+strconv.FormatInt(id, 10)+`-export.zip"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := s.writeExportZip(ctx, w, x, files); err != nil {
		s.log.ErrorContext(ctx, "contact export cut short", "contact_id", id, "err", err)
	}
}

func (s *Server) writeExportZip(ctx context.Context, w io.Writer, x *identity.Export, files []ContactFile) error {
	z := &exportZip{w: zip.NewWriter(w), at: x.GeneratedAt}
	manifest := exportManifest{Format: exportZipFormat, GeneratedAt: x.GeneratedAt, ContactID: x.Contact.ID, Files: []exportFileEntry{}}
	z.json("contact.json", x.Contact)
	z.json("identities.json", struct {
		Identities []*parley.Identity `json:"identities"`
		Claims     []identity.Claim   `json:"claims"`
	}{orEmpty(x.Contact.Identities), orEmpty(x.Claims)})
	z.json("consents.json", orEmpty(x.Consents))
	z.json("merges.json", orEmpty(x.Merges))
	z.json("links.json", orEmpty(x.Links))
	if len(x.External) > 0 {
		z.raw("external_cache.json", x.External)
	}
	byConversation := map[int64][]*parley.Message{}
	for _, m := range x.Messages {
		byConversation[m.ConversationID] = append(byConversation[m.ConversationID], m)
	}
	z.json("conversations.json", orEmpty(x.Conversations))
	for _, c := range x.Conversations {
		dir := fmt.Sprintf("conversations/%d", c.Number)
		msgs := orEmpty(byConversation[c.ID])
		z.json(dir+"/conversation.json", c)
		z.json(dir+"/messages.json", msgs)
		z.text(dir+"/transcript.txt", transcript(x.Contact, c, msgs))
	}
	if s.cfg.ExportFiles == nil {
		manifest.Files = attachmentEntries(x.Messages)
		manifest.Notes = append(manifest.Notes, "no file store is configured: files are listed, their bytes are not included")
	} else {
		for _, f := range files {
			entry := exportFileEntry{Path: filePath(f), Key: f.Key, Filename: f.Filename, ContentType: f.ContentType,
				Size: f.Size, ConversationID: f.ConversationID, MessageID: f.MessageID}
			if err := z.file(ctx, entry.Path, f.Key, s.cfg.ExportFiles); err != nil {
				entry.Path = ""
				manifest.Notes = append(manifest.Notes, fmt.Sprintf("file %s could not be read: %s", f.Key, parley.ErrorMessage(err)))
			}
			manifest.Files = append(manifest.Files, entry)
		}
	}
	z.json("manifest.json", manifest)
	if z.err != nil {
		return z.err
	}
	return z.w.Close()
}

// exportZip writes entries until the first error, which it keeps.
type exportZip struct {
	w   *zip.Writer
	at  time.Time
	err error
}

func (z *exportZip) create(name string) io.Writer {
	if z.err != nil {
		return io.Discard
	}
	f, err := z.w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.at})
	if err != nil {
		z.err = err
		return io.Discard
	}
	return f
}

func (z *exportZip) raw(name string, data []byte) {
	if _, err := z.create(name).Write(data); err != nil && z.err == nil {
		z.err = err
	}
}

func (z *exportZip) json(name string, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		z.err = parley.WrapError(parley.EINTERNAL, err, "encoding %s", name)
		return
	}
	z.raw(name, append(data, '\n'))
}

func (z *exportZip) text(name, s string) { z.raw(name, []byte(s)) }

// file copies one stored file; a file that cannot be opened is left out
// (and named in the manifest) rather than failing the whole export.
func (z *exportZip) file(ctx context.Context, name, key string, src ContactFileSource) error {
	if z.err != nil {
		return z.err
	}
	rc, err := src.OpenContactFile(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err := io.Copy(z.create(name), rc); err != nil && z.err == nil {
		z.err = err // part of the entry is written: the archive is broken
	}
	return nil
}

// filePath places a file beside its ticket; names come from customers, so
// only their base name is kept and the key keeps them unique.
func filePath(f ContactFile) string {
	name := safeName(f.Filename)
	if name == "" {
		name = "file"
	}
	dir := "files"
	if f.ConversationID != 0 {
		dir = fmt.Sprintf("files/conversation-%d", f.ConversationID)
	}
	return dir + "/" + safeName(f.Key) + "-" + name
}

func safeName(s string) string {
	s = path.Base(strings.ReplaceAll(s, "\\", "/"))
	if s == "." || s == ".." || s == "/" {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == ':' {
			return '_'
		}
		return r
	}, s)
}

// attachmentEntries names the messages' attachments when the bytes cannot
// be included.
func attachmentEntries(msgs []*parley.Message) []exportFileEntry {
	out := []exportFileEntry{}
	for _, m := range msgs {
		for _, a := range m.Attachments {
			key := a.StorageKey
			if key == "" {
				key = a.URL
			}
			out = append(out, exportFileEntry{Key: key, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
				ConversationID: m.ConversationID, MessageID: m.ID})
		}
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
