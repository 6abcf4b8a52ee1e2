package filestore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/filestore"
)

func mustDisk(t *testing.T) (*filestore.Disk, string) {
	t.Helper()
	dir := t.TempDir()
	d, err := filestore.OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d, dir
}

func TestDiskKeepsBytesUnderRandomKeys(t *testing.T) {
	ctx := context.Background()
	d, _ := mustDisk(t)
	data := []byte("hello attachment")
	b, err := d.Put(ctx, bytes.NewReader(data), 100)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if !filestore.ValidKey(b.Key) || b.Size != int64(len(data)) || b.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("blob = %+v", b)
	}
	other, _ := d.Put(ctx, bytes.NewReader(data), 100)
	if other.Key == b.Key {
		t.Fatal("two puts got the same key")
	}
	rc, err := d.Open(ctx, b.Key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("read %q", got)
	}
	if err := d.Delete(ctx, b.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(ctx, b.Key); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("open after delete: %v", err)
	}
}

func TestDiskRefusesTooLargeAndLeavesNothing(t *testing.T) {
	d, dir := mustDisk(t)
	_, err := d.Put(context.Background(), strings.NewReader(strings.Repeat("x", 11)), 10)
	if parley.ErrorCode(err) != parley.ETOOLARGE {
		t.Fatalf("err = %v, want too_large", err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, _ error) error {
		if !e.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Fatalf("left behind %v", files)
	}
}

func TestDiskNeverOpensPathsFromKeys(t *testing.T) {
	d, dir := mustDisk(t)
	os.WriteFile(filepath.Join(dir, "secret"), []byte("x"), 0o600)
	for _, key := range []string{"../secret", "secret", "", strings.Repeat("A", 32), "../../../../../../etc/passwd"} {
		if _, err := d.Open(context.Background(), key); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Errorf("Open(%q) = %v, want not_found", key, err)
		}
	}
}

func TestSignedURLs(t *testing.T) {
	s := filestore.NewSigner([]byte("0123456789abcdef0123456789abcdef"), "https://help.example.com/")
	now := time.Unix(1_800_000_000, 0)
	key := filestore.NewKey()
	u := s.URL(key, now)
	if !strings.HasPrefix(u, "https://help.example.com/files/"+key+"?exp=") {
		t.Fatalf("url = %s", u)
	}
	exp, sig := query(u, "exp"), query(u, "sig")
	if err := s.Verify(key, exp, sig, now.Add(filestore.DefaultURLLifetime)); err != nil {
		t.Fatalf("URL refused within its lifetime: %v", err)
	}
	if again := s.URL(key, now.Add(time.Minute)); again != u && now.Truncate(time.Hour) == now.Add(time.Minute).Truncate(time.Hour) {
		t.Fatalf("the address changed within the hour: %s vs %s", u, again)
	}
	cases := map[string]error{
		"other key": s.Verify(filestore.NewKey(), exp, sig, now),
		"later exp": s.Verify(key, "9999999999", sig, now),
		"expired":   s.Verify(key, exp, sig, now.Add(filestore.DefaultURLLifetime+time.Hour+time.Second)),
		"other secret": filestore.NewSigner([]byte("another secret of thirty-two by"), "https://x").
			Verify(key, exp, sig, now),
	}
	for name, err := range cases {
		if parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Errorf("%s: %v, want forbidden", name, err)
		}
	}
}

func query(u, name string) string {
	_, q, _ := strings.Cut(u, "?")
	for _, kv := range strings.Split(q, "&") {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

func TestContentTypeKeepsDeclaredTypesUnlessTheyHideText(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n0000")
	page := []byte("<!DOCTYPE html><script>alert(1)</script>")
	ogg := []byte("OggS\x00\x02rest")
	cases := []struct {
		name     string
		head     []byte
		declared string
		want     string
	}{
		{"a voice note keeps its audio type", ogg, "audio/ogg; codecs=opus", "audio/ogg; codecs=opus"},
		{"an office document keeps its type", []byte("PK\x03\x04"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"a page dressed as a picture is text", page, "image/png", "text/html; charset=utf-8"},
		{"nothing declared is sniffed", png, "", "image/png"},
		{"octet-stream is sniffed", png, "application/octet-stream", "image/png"},
		{"garbage declared is sniffed", png, "not a type", "image/png"},
	}
	for _, c := range cases {
		if got := filestore.ContentType(c.head, c.declared); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSniffTypeTrustsBytesAndOnlyRefinesByName(t *testing.T) {
	zip := []byte("PK\x03\x04rest of a zip")
	cases := []struct {
		head     []byte
		filename string
		want     string
	}{
		{zip, "report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{zip, "archive.zip", "application/zip"},
		{[]byte("OggS\x00\x02"), "voice.OPUS", "audio/ogg"},
		{[]byte("a,b\n1,2\n"), "sheet.csv", "text/csv; charset=utf-8"},
		{[]byte("<html><script>x</script></html>"), "report.docx", "text/html; charset=utf-8"},
		{[]byte("just text"), "photo.png", "text/plain; charset=utf-8"},
	}
	for _, c := range cases {
		if got := filestore.SniffType(c.head, c.filename); got != c.want {
			t.Errorf("SniffType(%q, %q) = %q, want %q", c.head, c.filename, got, c.want)
		}
	}
}
