package widget

import (
	"bytes"
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
)

type uploadResponse struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

// serveUpload answers POST /widget/v1/channels/{id}/uploads: one file in
// the multipart field "file", with the visitor token as a Bearer
// credential. The type is sniffed from the bytes, never trusted from the
// browser, and must be one the channel allows.
func (h *Handler) serveUpload(w http.ResponseWriter, r *http.Request) {
	ch, f, err := h.upload(w, r)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, uploadResponse{ID: f.Key, Filename: f.Filename, ContentType: f.ContentType, Size: f.Size,
		URL: h.visitorFileURL(ch.ID, f.Key)})
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request) (*widgetChannel, *parley.File, error) {
	ch, v, err := h.authorizeVisitor(r)
	if err != nil {
		return nil, nil, err
	}
	blobs, records := h.fileStore()
	if blobs == nil || ch.settings.UploadMax == 0 {
		return nil, nil, parley.Errorf(parley.EUNSUPPORTED, "this widget does not accept files")
	}
	if err := h.limits.upload.allow(itoa(ch.ID)+"/"+v.Key, "uploads"); err != nil {
		return nil, nil, err
	}
	r.Body = http.MaxBytesReader(w, r.Body, ch.settings.UploadMax+16<<10)
	part, err := filePart(r)
	if err != nil {
		return nil, nil, err
	}
	defer part.Close()
	f, err := h.storeFile(r.Context(), blobs, records, ch, v, part)
	return ch, f, err
}

// authorizeVisitor finds the channel of the request and the visitor its
// Bearer token names, who must still have a contact.
func (h *Handler) authorizeVisitor(r *http.Request) (*widgetChannel, *visitor, error) {
	ch, err := h.loadChannel(r.Context(), r)
	if err != nil {
		return nil, nil, err
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	v, err := parseToken(ch.secret, ch.ID, token)
	if err != nil {
		return nil, nil, err
	}
	if _, err := h.visitorContact(r.Context(), ch.ID, v); err != nil {
		return nil, nil, err
	}
	return ch, v, nil
}

func filePart(r *http.Request) (io.ReadCloser, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, parley.WrapError(parley.EINVALID, err, "upload must be multipart/form-data")
	}
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, uploadReadError(err, "no file field in the upload")
		}
		if p.FormName() == "file" {
			return p, nil
		}
		p.Close()
	}
}

type namedPart interface{ FileName() string }

// storeFile keeps the visitor's upload in the attachment store, recorded
// as the visitor's contact's file: erasure and the data export find it
// there, and the janitor removes it if no message ever carries it.
func (h *Handler) storeFile(ctx context.Context, blobs parley.FileStore, records parley.FileService, ch *widgetChannel, v *visitor,
	part io.Reader) (*parley.File, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(part, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, uploadReadError(err, "reading the upload")
	}
	head = head[:n]
	ct, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	if n == 0 || !ch.settings.AllowsType(ct) {
		return nil, parley.Errorf(parley.EINVALID, "files of type %q are not accepted here", ct)
	}
	blob, err := blobs.Put(ctx, io.MultiReader(bytes.NewReader(head), part), ch.settings.UploadMax)
	if err != nil {
		return nil, uploadReadError(err, "saving the upload")
	}
	f := &parley.File{Key: blob.Key, Filename: cleanFilename(part), ContentType: ct, Size: blob.Size, SHA256: blob.SHA256,
		ContactID: &v.ContactID}
	if err := records.CreateFile(ctx, f); err != nil {
		_ = blobs.Delete(context.WithoutCancel(ctx), blob.Key)
		return nil, err
	}
	return f, nil
}

func uploadReadError(err error, what string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return parley.Errorf(parley.ETOOLARGE, "the upload is too large")
	}
	if parley.ErrorCode(err) != parley.EINTERNAL {
		return err
	}
	return parley.WrapError(parley.EINVALID, err, "%s", what)
}

// cleanFilename keeps a short, printable base name of the visitor's file.
func cleanFilename(part io.Reader) string {
	p, ok := part.(namedPart)
	if !ok {
		return "file"
	}
	name := filepath.Base(strings.ReplaceAll(p.FileName(), "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' {
			return -1
		}
		return r
	}, name)
	for len(name) > 120 || !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name[:min(len(name), 120)], "")
	}
	if name == "" || name == "." || name == "/" {
		return "file"
	}
	return name
}

// publicBase is the address browsers reach Parley at.
func (h *Handler) publicBase(r *http.Request) string {
	if h.cfg.PublicURL != "" {
		return strings.TrimRight(h.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
