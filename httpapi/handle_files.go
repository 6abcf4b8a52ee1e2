package httpapi

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/filestore"
	"github.com/parleyhq/parley/metrics"
)

// multipartOverhead is what a multipart body may carry besides the file
// (boundaries, part headers) before it counts as too large.
const multipartOverhead = 64 << 10

// files returns the file store and its records, or 422 when this server
// has none.
func (s *Server) files() (parley.FileStore, parley.FileService, error) {
	meta, ok := s.store.(parley.FileService)
	if s.cfg.Files == nil || !ok {
		return nil, nil, parley.Errorf(parley.EUNSUPPORTED, "this server stores no files")
	}
	return s.cfg.Files, meta, nil
}

// handleUpload stores one file (multipart field "file") as the signed-in
// agent's upload, to be sent with a reply. The type is sniffed from the
// bytes (filestore.SniffType); what the browser claims is ignored.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	f, err := s.upload(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, f.Attachment())
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) (*parley.File, error) {
	blobs, meta, err := s.files()
	if err != nil {
		return nil, err
	}
	limit := s.cfg.MaxUploadBytes
	if r.ContentLength > limit+multipartOverhead {
		return nil, tooLarge(limit)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+multipartOverhead)
	part, err := filePart(r)
	if err != nil {
		return nil, uploadError(err, limit, "reading the upload")
	}
	defer part.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(part, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, uploadError(err, limit, "reading the upload")
	} else if n == 0 {
		return nil, parley.Errorf(parley.EINVALID, "the file is empty")
	}
	blob, err := blobs.Put(r.Context(), io.MultiReader(strings.NewReader(string(head[:n])), part), limit)
	if err != nil {
		return nil, uploadError(err, limit, "storing the upload")
	}
	me := agentFrom(r.Context())
	name := cleanFilename(part.FileName())
	f := &parley.File{Key: blob.Key, Filename: name, ContentType: filestore.SniffType(head[:n], name),
		Size: blob.Size, SHA256: blob.SHA256, AgentID: &me.ID}
	if err := meta.CreateFile(r.Context(), f); err != nil {
		_ = blobs.Delete(context.WithoutCancel(r.Context()), blob.Key)
		return nil, err
	}
	metrics.FileBytesStored.WithLabelValues("upload").Add(float64(f.Size))
	return f, nil
}

type filePartReader interface {
	io.ReadCloser
	FileName() string
}

func filePart(r *http.Request) (filePartReader, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, parley.WrapError(parley.EINVALID, err, "upload must be multipart/form-data")
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, parley.Errorf(parley.EINVALID, "no \"file\" field in the upload")
		} else if err != nil {
			return nil, err
		}
		if p.FormName() == "file" {
			return p, nil
		}
		p.Close()
	}
}

func tooLarge(limit int64) error {
	return parley.Errorf(parley.ETOOLARGE, "files may be at most %d bytes", limit)
}

// uploadError keeps coded errors, and turns a body cut off by the size
// limit into 413 and anything else into 400.
func uploadError(err error, limit int64, what string) error {
	if isMaxBytes(err) {
		return tooLarge(limit)
	}
	if code := parley.ErrorCode(err); code != parley.EINTERNAL {
		return err
	}
	var pe *parley.Error
	if errors.As(err, &pe) {
		return err // a storage failure: 500, logged
	}
	return parley.WrapError(parley.EINVALID, err, "%s", what)
}

// cleanFilename keeps a short, printable base name of the agent's file;
// it is only ever shown and sent, never used as a path.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' || r == '/' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	for len(name) > 120 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." {
		return "file"
	}
	return name
}

// handleGetFile serves a stored file to an agent who may see it.
func (s *Server) handleGetFile(w http.ResponseWriter, r *http.Request) {
	f, err := s.readableFile(r.Context(), agentFrom(r.Context()), r.PathValue("key"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.serveFile(w, r, f, "private")
}

// readableFile loads a file the agent may read: one of a ticket they can
// see, one of a contact (without a ticket), or their own unsent upload.
// Anything else is "not found", so keys cannot be probed.
func (s *Server) readableFile(ctx context.Context, me *parley.Agent, key string) (*parley.File, error) {
	_, meta, err := s.files()
	if err != nil {
		return nil, err
	}
	notFound := parley.Errorf(parley.ENOTFOUND, "file not found")
	if !filestore.ValidKey(key) {
		return nil, notFound
	}
	f, err := meta.FindFileByKey(ctx, key)
	if err != nil {
		return nil, err
	}
	switch {
	case f.ConversationID != nil:
		if _, err := s.visibleConversation(ctx, me, *f.ConversationID); err != nil {
			return nil, notFound
		}
	case f.ContactID != nil:
	case f.AgentID == nil || *f.AgentID != me.ID:
		return nil, notFound
	}
	return f, nil
}

// handlePublicFile serves a file to whoever holds a signed, unexpired
// link: platforms fetching the media of a reply (Meta's Send API
// attachment URL, WhatsApp's link).
func (s *Server) handlePublicFile(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	q := r.URL.Query()
	_, meta, err := s.files()
	if err == nil && (s.cfg.FileURLs == nil || !filestore.ValidKey(key)) {
		err = parley.Errorf(parley.ENOTFOUND, "file not found")
	}
	if err == nil {
		err = s.cfg.FileURLs.Verify(key, q.Get("exp"), q.Get("sig"), s.clock.Now())
	}
	var f *parley.File
	if err == nil {
		f, err = meta.FindFileByKey(r.Context(), key)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.serveFile(w, r, f, "public")
}

// serveFile sends f's bytes so that they can never act as a page of
// Parley's origin: the stored (sniffed) type with nosniff, a sandbox CSP,
// and only images, audio, video and PDF shown inline. Keys never change
// content, so the bytes are cached for good.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, f *parley.File, cache string) {
	rc, err := s.cfg.Files.Open(r.Context(), f.Key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	disposition := "attachment"
	if parley.ShowInline(f.ContentType) {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Filename}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", cache+", max-age=31536000, immutable")
	h.Set("ETag", `"`+f.SHA256+`"`)
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", f.CreatedAt, rs) // ranges, for audio and video players
		return
	}
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	_, _ = io.Copy(w, rc)
}

// storedAttachments checks the stored files a reply names and puts the
// server's own description of each in place of the client's: the key must
// be the agent's own unsent upload or a file of this ticket. Forged or
// foreign keys are refused alike.
func (s *Server) storedAttachments(ctx context.Context, me *parley.Agent, c *parley.Conversation, atts []parley.Attachment) error {
	for i, a := range atts {
		if a.StorageKey == "" {
			continue
		}
		_, meta, err := s.files()
		if err != nil {
			return err
		}
		f, err := meta.FindFileByKey(ctx, a.StorageKey)
		if err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
			return err
		}
		own := f != nil && f.MessageID == nil && f.AgentID != nil && *f.AgentID == me.ID
		ofTicket := f != nil && f.ConversationID != nil && *f.ConversationID == c.ID
		if !own && !ofTicket {
			return parley.Errorf(parley.EINVALID, "attachment %d: storage_key is not one of your uploads", i)
		}
		att := f.Attachment()
		att.Caption = a.Caption
		atts[i] = att
	}
	return nil
}

// deleteErasedFiles removes the bytes of an erased contact's files; the
// records are gone already, so a failure only leaves unreachable bytes.
func (s *Server) deleteErasedFiles(r *http.Request, keys []string) {
	if s.cfg.Files == nil {
		return
	}
	ctx := context.WithoutCancel(r.Context())
	for _, k := range keys {
		if err := s.cfg.Files.Delete(ctx, k); err != nil {
			s.log.ErrorContext(ctx, "deleting an erased file", requestAttrs(r, "err", err)...)
		}
	}
}

// purgeContactData removes an erased contact's events from the bus. The
// database erasure has committed by then; erasing again is harmless, so a
// failure asks the caller to retry rather than claiming success.
func (s *Server) purgeContactData(ctx context.Context, contactID int64) error {
	if s.cfg.ContactData == nil {
		return nil
	}
	if err := s.cfg.ContactData.PurgeContactData(ctx, contactID); err != nil {
		s.log.ErrorContext(ctx, "erased contact's events not purged from the bus", "contact_id", contactID, "err", err)
		return parley.WrapError(parley.EUNAVAILABLE, err,
			"contact %d is erased from the database but its events are still on the event bus: send the erasure again", contactID)
	}
	return nil
}
