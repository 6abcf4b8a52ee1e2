package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/filestore"
	"github.com/parleyhq/parley/metrics"
)

// MediaStore is what the MediaWorker reads and writes.
type MediaStore interface {
	FindMessageByID(ctx context.Context, id int64) (*parley.Message, error)
	FindChannelByID(ctx context.Context, id int64) (*parley.Channel, error)
	FindConversationByID(ctx context.Context, id int64) (*parley.Conversation, error)
	parley.FileService
}

// Media worker defaults.
const (
	DefaultMediaMaxBytes = 25 << 20
	// DefaultMediaAttempts bounds the tries of a transient failure
	// (platform down, rate limit) before it is recorded as final.
	DefaultMediaAttempts = 6
	// mediaFetchTimeout bounds the downloads of one message, under the
	// event consumer's ack wait (2 min), so an event is not redelivered
	// while it is still being worked on; what is left is retried.
	mediaFetchTimeout = 90 * time.Second
)

// MediaWorker copies the media of new inbound messages into the attachment
// store: platforms hand out ids (WhatsApp) or CDN URLs that expire, so
// agents could not see them a day later. It runs behind the ingest
// transaction, from the EVENTS stream (a durable consumer: Handle), so it
// never slows ingestion and survives restarts. It is idempotent: it works
// from the stored message, and skips attachments that already have a
// storage key or a recorded failure. Final failures (too large, host not
// allowed, gone) are recorded on the attachment (FetchError); transient
// ones return an error, so the bus redelivers with backoff, until
// MaxAttempts.
type MediaWorker struct {
	Store    MediaStore
	Files    parley.FileStore
	Adapters parley.AdapterSource
	Events   parley.EventPublisher
	Logger   *slog.Logger
	Clock    parley.Clock

	MaxBytes    int64 // per file; default 25 MiB
	MaxAttempts int   // per message and node; default DefaultMediaAttempts

	mu       sync.Mutex
	attempts map[int64]int
}

// Handle is a parley.EventConsumer handler: it works on inbound
// message.created events that carry attachments.
func (w *MediaWorker) Handle(ctx context.Context, e *parley.Event) error {
	if e.Type != parley.EventMessageCreated || e.Message == nil || e.Message.Direction != parley.DirectionIn || len(e.Message.Attachments) == 0 {
		return nil
	}
	m, err := w.Store.FindMessageByID(ctx, e.Message.ID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	return w.Process(ctx, m)
}

// Process stores m's fetchable media, binds files its adapter stored
// already (mail attachments), and announces the changed message.
func (w *MediaWorker) Process(ctx context.Context, m *parley.Message) error {
	var stored []string
	for _, a := range m.Attachments {
		if a.StorageKey != "" {
			stored = append(stored, a.StorageKey)
		}
	}
	if err := w.Store.BindFiles(ctx, stored, m); err != nil {
		return err
	}
	if !needsFetch(m.Attachments) {
		return nil
	}
	fetcher, err := w.fetcher(ctx, m)
	if err != nil || fetcher == nil {
		return err
	}
	atts := append([]parley.Attachment(nil), m.Attachments...)
	fetchCtx, cancel := context.WithTimeout(ctx, mediaFetchTimeout)
	changed, transient := w.fetchAll(fetchCtx, fetcher, m, atts)
	cancel()
	if transient != nil && !w.giveUp(m.ID) {
		if changed {
			return w.save(ctx, m, atts, transient)
		}
		return transient
	}
	if transient != nil {
		for i := range atts {
			if fetchable(atts[i]) {
				atts[i].FetchError = "gave up: " + parley.ErrorMessage(transient)
				changed = true
			}
		}
	}
	w.forget(m.ID)
	if !changed {
		return nil
	}
	return w.save(ctx, m, atts, nil)
}

// fetchAll fetches each fetchable attachment in place; it reports whether
// any changed and the last transient failure.
func (w *MediaWorker) fetchAll(ctx context.Context, f parley.MediaFetcher, m *parley.Message, atts []parley.Attachment) (changed bool, transient error) {
	for i, a := range atts {
		if !fetchable(a) {
			continue
		}
		file, err := w.fetchOne(ctx, f, m, a)
		if err != nil {
			metrics.MediaFetchFailures.WithLabelValues(string(m.Platform), parley.ErrorCode(err)).Inc()
			if !finalFetchError(err) {
				w.log().Info("media fetch failed; will retry", "message_id", m.ID, "err", err)
				transient = err
				continue
			}
			w.log().Info("media fetch failed for good", "message_id", m.ID, "err", err)
			atts[i].FetchError = parley.ErrorMessage(err)
			changed = true
			continue
		}
		stored := file.Attachment()
		stored.Type, stored.PlatformID, stored.Caption = a.Type, a.PlatformID, a.Caption
		if a.Filename != "" {
			stored.Filename = a.Filename
		}
		atts[i] = stored
		changed = true
	}
	return changed, transient
}

func (w *MediaWorker) fetchOne(ctx context.Context, f parley.MediaFetcher, m *parley.Message, a parley.Attachment) (*parley.File, error) {
	body, platformType, err := f.FetchMedia(ctx, a)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	blob, err := w.Files.Put(ctx, io.MultiReader(strings.NewReader(string(head[:n])), body), w.maxBytes())
	if err != nil {
		return nil, err
	}
	file := &parley.File{Key: blob.Key, Filename: a.Filename, ContentType: filestore.ContentType(head[:n], platformType),
		Size: blob.Size, SHA256: blob.SHA256, MessageID: &m.ID, ConversationID: &m.ConversationID, ContactID: m.ContactID}
	if err := w.Store.CreateFile(ctx, file); err != nil {
		_ = w.Files.Delete(context.WithoutCancel(ctx), blob.Key)
		return nil, err
	}
	metrics.FileBytesStored.WithLabelValues("inbound").Add(float64(blob.Size))
	return file, nil
}

func (w *MediaWorker) save(ctx context.Context, m *parley.Message, atts []parley.Attachment, keep error) error {
	updated, err := w.Store.UpdateMessageAttachments(ctx, m.ID, atts)
	if err != nil {
		return err
	}
	// Screens see a message event only with its ticket (realtime checks
	// who may see it); without the ticket only supervisors would get it.
	conv, err := w.Store.FindConversationByID(ctx, updated.ConversationID)
	if err != nil {
		w.log().Warn("announcing stored media without its ticket", "message_id", m.ID, "err", err)
		conv = nil
	}
	ev := &parley.Event{Type: parley.EventMessageUpdated, Message: updated, Conversation: conv, At: clockOrSystem(w.Clock).Now()}
	publishEvents(ctx, w.Events, w.log(), []*parley.Event{ev})
	return keep
}

// fetcher is the adapter of m's channel if it can fetch media; nil if not.
func (w *MediaWorker) fetcher(ctx context.Context, m *parley.Message) (parley.MediaFetcher, error) {
	ch, err := w.Store.FindChannelByID(ctx, m.ChannelID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	adapter, err := w.Adapters.Adapter(ch)
	if err != nil {
		w.log().Warn("no adapter to fetch media", "channel_id", ch.ID, "err", err)
		return nil, nil
	}
	f, _ := adapter.(parley.MediaFetcher)
	return f, nil
}

// fetchable: media the platform holds that the store does not yet.
func fetchable(a parley.Attachment) bool {
	if a.StorageKey != "" || a.FetchError != "" || a.PlatformID == "" && a.URL == "" {
		return false
	}
	switch a.Type {
	case "image", "audio", "video", "file", "sticker":
		return true
	}
	return false // locations and shares are links, not files
}

func needsFetch(atts []parley.Attachment) bool {
	for _, a := range atts {
		if fetchable(a) {
			return true
		}
	}
	return false
}

// finalFetchError: retrying cannot help.
func finalFetchError(err error) bool {
	switch parley.ErrorCode(err) {
	case parley.ETOOLARGE, parley.EFORBIDDEN, parley.ENOTFOUND, parley.EINVALID, parley.EUNAUTHORIZED, parley.EUNSUPPORTED:
		return true
	}
	return false
}

// giveUp counts a transient failure of message id and reports whether it
// was the last allowed.
func (w *MediaWorker) giveUp(id int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.attempts == nil {
		w.attempts = map[int64]int{}
	}
	w.attempts[id]++
	max := w.MaxAttempts
	if max <= 0 {
		max = DefaultMediaAttempts
	}
	return w.attempts[id] >= max
}

func (w *MediaWorker) forget(id int64) {
	w.mu.Lock()
	delete(w.attempts, id)
	w.mu.Unlock()
}

func (w *MediaWorker) maxBytes() int64 {
	if w.MaxBytes <= 0 {
		return DefaultMediaMaxBytes
	}
	return w.MaxBytes
}

func (w *MediaWorker) log() *slog.Logger { return loggerOrDefault(w.Logger, "media") }
