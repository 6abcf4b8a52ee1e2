package parley

import (
	"context"
	"io"
	"mime"
	"strings"
	"time"
)

// File is the record of a stored file: what it is, and whom it belongs to,
// so that downloads can be authorised and erasure can find it. An agent's
// upload starts bound to nobody but its uploader (AgentID); sending it in a
// reply binds it to that message, its ticket and contact. Inbound media are
// bound to their message when stored.
type File struct {
	Key            string    `json:"key"`
	Filename       string    `json:"filename"`
	ContentType    string    `json:"content_type"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"` // hex
	AgentID        *int64    `json:"agent_id,omitempty"`
	ContactID      *int64    `json:"contact_id,omitempty"`
	ConversationID *int64    `json:"conversation_id,omitempty"`
	MessageID      *int64    `json:"message_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// FilesPath is where agents download stored files: FilesPath + key.
const FilesPath = "/api/v1/files/"

// Attachment is how a message refers to f.
func (f *File) Attachment() Attachment {
	return Attachment{Type: AttachmentType(f.ContentType), ContentType: f.ContentType, Filename: f.Filename,
		Size: f.Size, StorageKey: f.Key, URL: FilesPath + f.Key}
}

// AttachmentType is the attachment type of a content type: image, video,
// audio or file.
func AttachmentType(contentType string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "image/svg+xml":
		return "file" // scripts inside: never shown as a picture
	case strings.HasPrefix(mt, "image/"):
		return "image"
	case strings.HasPrefix(mt, "video/"):
		return "video"
	case strings.HasPrefix(mt, "audio/"):
		return "audio"
	}
	return "file"
}

// ShowInline reports whether a browser may render a file of this type in
// place; everything else (HTML, SVG, scripts, unknown types) is only ever
// downloaded, so an uploaded page can never run on Parley's origin.
func ShowInline(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/pdf":
		return true
	case mt == "image/svg+xml":
		return false
	}
	return AttachmentType(mt) != "file"
}

// Blob is what a FileStore reports about bytes it stored.
type Blob struct {
	Key    string
	Size   int64
	SHA256 string // hex
}

// FileStore keeps file bytes under unguessable keys it makes itself, so a
// key never comes from user input. Metadata lives in FileService.
type FileStore interface {
	// Put stores what r yields under a new key. More than limit bytes is
	// ETOOLARGE and stores nothing.
	Put(ctx context.Context, r io.Reader, limit int64) (Blob, error)
	// Open returns the bytes of key (ENOTFOUND if none); the reader may also
	// be an io.Seeker. The caller closes it.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// FileService stores file records.
type FileService interface {
	CreateFile(ctx context.Context, f *File) error
	FindFileByKey(ctx context.Context, key string) (*File, error)
	DeleteFile(ctx context.Context, key string) error
	// BindFiles binds unbound, non-agent files (e.g. inbound mail
	// attachments stored before their message existed) to message m.
	BindFiles(ctx context.Context, keys []string, m *Message) error
	// UpdateMessageAttachments replaces a message's attachments (media
	// fetched into the store) and returns the message.
	UpdateMessageAttachments(ctx context.Context, messageID int64, atts []Attachment) (*Message, error)
}

// MediaFetcher is implemented by adapters whose platforms keep inbound
// media behind ids or expiring URLs (the Meta adapters): it downloads an
// attachment's bytes. The caller closes the body.
type MediaFetcher interface {
	FetchMedia(ctx context.Context, att Attachment) (body io.ReadCloser, contentType string, err error)
}
