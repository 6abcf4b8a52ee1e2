// Package filestore keeps attachment bytes: Disk stores them as files under
// a directory (the embedded default, ./data/files), and Signer makes and
// checks the expiring public URLs platforms fetch media from.
package filestore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley"
)

// Disk is a parley.FileStore on the local file system. Each file lives at
// <dir>/<first two key characters>/<key>, so no directory grows huge; it is
// written to a temporary file first and renamed, so a crash never leaves a
// half file under a real key.
type Disk struct {
	dir string
}

var _ parley.FileStore = (*Disk)(nil)

// OpenDisk uses dir (created if missing).
func OpenDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, err
	}
	return &Disk{dir: dir}, nil
}

// NewKey returns a new random key: 128 bits, hex.
func NewKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ValidKey accepts only keys NewKey makes, so a key never names a path
// outside the store.
func ValidKey(key string) bool {
	if len(key) != 32 {
		return false
	}
	for _, c := range key {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (d *Disk) path(key string) string { return filepath.Join(d.dir, key[:2], key) }

// Put implements parley.FileStore.
func (d *Disk) Put(ctx context.Context, r io.Reader, limit int64) (parley.Blob, error) {
	tmp, err := os.CreateTemp(filepath.Join(d.dir, "tmp"), "up-*")
	if err != nil {
		return parley.Blob{}, parley.WrapError(parley.EINTERNAL, err, "creating a file")
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, r}, limit+1))
	if err == nil && size > limit {
		err = parley.Errorf(parley.ETOOLARGE, "files may be at most %d bytes", limit)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return parley.Blob{}, writeError(err)
	}
	key := NewKey()
	if err := os.MkdirAll(filepath.Dir(d.path(key)), 0o750); err != nil {
		return parley.Blob{}, parley.WrapError(parley.EINTERNAL, err, "creating a file folder")
	}
	if err := os.Rename(tmp.Name(), d.path(key)); err != nil {
		return parley.Blob{}, parley.WrapError(parley.EINTERNAL, err, "storing a file")
	}
	return parley.Blob{Key: key, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// writeError keeps the code of coded errors (a too-large upload read
// through http.MaxBytesReader is the caller's to classify).
func writeError(err error) error {
	var pe *parley.Error
	if errors.As(err, &pe) {
		return err
	}
	return parley.WrapError(parley.EINTERNAL, err, "writing a file")
}

// Open implements parley.FileStore; the reader is an *os.File, so it seeks.
func (d *Disk) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if !ValidKey(key) {
		return nil, parley.Errorf(parley.ENOTFOUND, "file not found")
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, parley.Errorf(parley.ENOTFOUND, "file not found")
	} else if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "opening a file")
	}
	return f, nil
}

// Delete implements parley.FileStore.
func (d *Disk) Delete(_ context.Context, key string) error {
	if !ValidKey(key) {
		return nil
	}
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return parley.WrapError(parley.EINTERNAL, err, "deleting a file")
	}
	return nil
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ContentType decides the stored type of a file from its first bytes and
// what its sender declared. The declared type is kept (a voice note is
// "audio/ogg", which sniffing calls "application/ogg"; office documents
// are more than "application/zip"), except where it would let a browser
// render something else: a declared picture, sound, film or PDF whose
// bytes look like text (a page in disguise) takes the sniffed type, and
// so does an unparseable declaration.
func ContentType(head []byte, declared string) string {
	sniffed := http.DetectContentType(head)
	mt, params, err := mime.ParseMediaType(declared)
	if err != nil || mt == "application/octet-stream" || parley.ShowInline(mt) && strings.HasPrefix(sniffed, "text/") {
		return sniffed
	}
	return mime.FormatMediaType(mt, params)
}

// refinements name the more precise types a generic sniffed type may take
// from the file's extension: only within the same family of bytes, so a
// name can make a zip a Word document but never text a picture.
var refinements = map[string]map[string]string{
	"application/zip": {
		".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		".odt":  "application/vnd.oasis.opendocument.text",
		".ods":  "application/vnd.oasis.opendocument.spreadsheet",
		".odp":  "application/vnd.oasis.opendocument.presentation",
	},
	"application/ogg":           {".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg", ".ogv": "video/ogg"},
	"text/plain; charset=utf-8": {".csv": "text/csv; charset=utf-8"},
}

// SniffType is the stored type of an upload: what its first bytes are
// (http.DetectContentType; the browser's claim is ignored), made more
// precise by the file name's extension where the bytes allow it.
func SniffType(head []byte, filename string) string {
	sniffed := http.DetectContentType(head)
	ext := strings.ToLower(filepath.Ext(filename))
	if t, ok := refinements[sniffed][ext]; ok {
		return t
	}
	return sniffed
}
