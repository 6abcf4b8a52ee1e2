package parley_test

import (
	"testing"

	"github.com/parleyhq/parley"
)

func TestFileTypesDecideHowTheyAreShown(t *testing.T) {
	cases := []struct {
		contentType, kind string
		inline            bool
	}{
		{"image/png", "image", true},
		{"image/jpeg", "image", true},
		{"image/svg+xml", "file", false}, // may carry scripts
		{"video/mp4", "video", true},
		{"audio/ogg; codecs=opus", "audio", true},
		{"application/pdf", "file", true},
		{"text/html; charset=utf-8", "file", false},
		{"text/javascript", "file", false},
		{"application/octet-stream", "file", false},
		{"", "file", false},
	}
	for _, c := range cases {
		if got := parley.AttachmentType(c.contentType); got != c.kind {
			t.Errorf("AttachmentType(%q) = %q, want %q", c.contentType, got, c.kind)
		}
		if got := parley.ShowInline(c.contentType); got != c.inline {
			t.Errorf("ShowInline(%q) = %v, want %v", c.contentType, got, c.inline)
		}
	}
	f := &parley.File{Key: "k", ContentType: "image/png", Filename: "a.png", Size: 3}
	if a := f.Attachment(); a.URL != "/api/v1/files/k" || a.StorageKey != "k" || a.Type != "image" || a.Size != 3 {
		t.Errorf("Attachment() = %+v", a)
	}
}
