package widget

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// fileMeta is kept beside each upload: whose it is and what it is.
type fileMeta struct {
	ChannelID   int64  `json:"channel_id"`
	ContactID   int64  `json:"contact_id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

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
	meta, id, err := h.upload(w, r)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, uploadResponse{ID: id, Filename: meta.Filename, ContentType: meta.ContentType, Size: meta.Size, URL: meta.URL})
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request) (*fileMeta, string, error) {
	ch, err := h.loadChannel(r.Context(), r)
	if err != nil {
		return nil, "", err
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	v, err := parseToken(ch.secret, ch.ID, token)
	if err != nil {
		return nil, "", err
	}
	if _, err := h.visitorContact(r.Context(), ch.ID, v); err != nil {
		return nil, "", err
	}
	if h.cfg.FilesDir == "" || ch.settings.UploadMax == 0 {
		return nil, "", parley.Errorf(parley.EUNSUPPORTED, "this widget does not accept files")
	}
	if err := h.limits.upload.allow(itoa(ch.ID)+"/"+v.Key, "uploads"); err != nil {
		return nil, "", err
	}
	r.Body = http.MaxBytesReader(w, r.Body, ch.settings.UploadMax+16<<10)
	part, err := filePart(r)
	if err != nil {
		return nil, "", err
	}
	defer part.Close()
	return h.storeFile(r, ch, v, part)
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

func (h *Handler) storeFile(r *http.Request, ch *widgetChannel, v *visitor, part io.Reader) (*fileMeta, string, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(part, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, "", uploadReadError(err, "reading the upload")
	}
	head = head[:n]
	ct, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	if n == 0 || !ch.settings.AllowsType(ct) {
		return nil, "", parley.Errorf(parley.EINVALID, "files of type %q are not accepted here", ct)
	}
	id := newFileID()
	dir := filepath.Join(h.cfg.FilesDir, "widget")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, "", parley.WrapError(parley.EINTERNAL, err, "creating the upload folder")
	}
	size, err := writeFile(filepath.Join(dir, id), io.MultiReader(strings.NewReader(string(head)), part), ch.settings.UploadMax)
	if err != nil {
		return nil, "", err
	}
	meta := &fileMeta{ChannelID: ch.ID, ContactID: v.ContactID, Filename: cleanFilename(part), ContentType: ct, Size: size,
		URL: h.cfg.PublicURL + filesPath + id}
	data, _ := json.Marshal(meta)
	if err := os.WriteFile(filepath.Join(dir, id+".json"), data, 0o640); err != nil {
		return nil, "", parley.WrapError(parley.EINTERNAL, err, "saving upload details")
	}
	return meta, id, nil
}

func writeFile(path string, src io.Reader, limit int64) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return 0, parley.WrapError(parley.EINTERNAL, err, "creating the upload")
	}
	size, err := io.Copy(f, io.LimitReader(src, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size > limit {
		err = parley.Errorf(parley.ETOOLARGE, "files may be at most %d bytes", limit)
	}
	if err != nil {
		os.Remove(path)
		return 0, uploadReadError(err, "saving the upload")
	}
	return size, nil
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

func newFileID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// validFileID accepts only the ids newFileID makes, so a path never
// leaves the upload folder.
func validFileID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (h *Handler) loadFileMeta(id string) (*fileMeta, error) {
	if !validFileID(id) || h.cfg.FilesDir == "" {
		return nil, parley.Errorf(parley.ENOTFOUND, "file not found")
	}
	data, err := os.ReadFile(filepath.Join(h.cfg.FilesDir, "widget", id+".json"))
	if err != nil {
		return nil, parley.Errorf(parley.ENOTFOUND, "file not found")
	}
	var m fileMeta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "reading file details")
	}
	return &m, nil
}

// attachments turns the upload ids of a message into attachments; each
// must be this visitor's own upload on this channel.
func (h *Handler) attachments(s *socket, ids []string) ([]parley.Attachment, error) {
	var out []parley.Attachment
	for _, id := range ids {
		m, err := h.loadFileMeta(id)
		if err == nil && (m.ContactID != s.visitor.ContactID || m.ChannelID != s.channel.ID) {
			err = parley.Errorf(parley.ENOTFOUND, "file not found")
		}
		if err != nil {
			return nil, err
		}
		kind := "file"
		if strings.HasPrefix(m.ContentType, "image/") {
			kind = "image"
		}
		out = append(out, parley.Attachment{Type: kind, ContentType: m.ContentType, Filename: m.Filename, Size: m.Size, URL: m.URL})
	}
	return out, nil
}

// serveFile answers GET /widget/v1/files/{name}. The name is 128 random
// bits, handed only to the visitor who uploaded it and to the agents of
// the ticket. Files are sandboxed: never run as a page of Parley's origin.
func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("name")
	m, err := h.loadFileMeta(id)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	f, err := os.Open(filepath.Join(h.cfg.FilesDir, "widget", id))
	if err != nil {
		writeError(w, r, h.log, parley.Errorf(parley.ENOTFOUND, "file not found"))
		return
	}
	defer f.Close()
	disposition := "attachment"
	if strings.HasPrefix(m.ContentType, "image/") {
		disposition = "inline"
	}
	hd := w.Header()
	hd.Set("Content-Type", m.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": m.Filename}))
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	hd.Set("Cache-Control", "private, max-age=86400")
	hd.Set("Content-Length", strconv.FormatInt(m.Size, 10))
	io.Copy(w, f)
}

// filesPath is where uploads are served. Without a PublicURL their
// addresses stay relative (the agent app is on Parley's own origin; the
// widget resolves them against its script's origin), so a forged Host
// header can never plant a foreign link.
const filesPath = "/widget/v1/files/"

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
