package pipeline_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/filestore"
	"github.com/parleyhq/parley/pipeline"
	"github.com/parleyhq/parley/store"
)

// mediaAdapter serves media by platform id: "ok-…" answers its bytes,
// "big" too many bytes, "gone" ENOTFOUND, "down" EUNAVAILABLE.
type mediaAdapter struct {
	scriptedAdapter
	mu    sync.Mutex
	calls map[string]int
}

func (a *mediaAdapter) FetchMedia(_ context.Context, att parley.Attachment) (io.ReadCloser, string, error) {
	a.mu.Lock()
	a.calls[att.PlatformID]++
	a.mu.Unlock()
	switch att.PlatformID {
	case "big":
		return io.NopCloser(strings.NewReader(strings.Repeat("x", 2000))), "image/jpeg", nil
	case "gone":
		return nil, "", parley.Errorf(parley.ENOTFOUND, "media gone")
	case "down":
		return nil, "", parley.Errorf(parley.EUNAVAILABLE, "platform down")
	}
	return io.NopCloser(strings.NewReader("bytes of " + att.PlatformID)), "image/jpeg", nil
}

func (a *mediaAdapter) callsOf(id string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[id]
}

type mediaFixture struct {
	st      *store.Store
	disk    *filestore.Disk
	adapter *mediaAdapter
	events  *recordedEvents
	worker  *pipeline.MediaWorker
	ch      *parley.Channel
}

type recordedEvents struct {
	mu     sync.Mutex
	events []*parley.Event
}

func (r *recordedEvents) PublishEvent(_ context.Context, e *parley.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func (r *recordedEvents) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func mustMediaFixture(t *testing.T) *mediaFixture {
	t.Helper()
	st := MustOpenStore(t)
	disk, err := filestore.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &mediaFixture{st: st, disk: disk, adapter: &mediaAdapter{calls: map[string]int{}}, events: &recordedEvents{}, ch: MustCreateChannel(t, st)}
	reg := channel.NewRegistry()
	reg.Register(parley.PlatformAPI, func(*parley.Channel) (parley.Adapter, error) { return f.adapter, nil })
	f.worker = &pipeline.MediaWorker{Store: st, Files: disk, Adapters: reg, Events: f.events, MaxBytes: 1000, MaxAttempts: 3}
	return f
}

// mustInbound stores a customer message carrying media of these ids and
// returns its message.created event.
func (f *mediaFixture) mustInbound(t *testing.T, ids ...string) *parley.Event {
	t.Helper()
	ev := inboundText(f.ch, "cust-"+strings.Join(ids, "-"), 1)
	for _, id := range ids {
		ev.Attachments = append(ev.Attachments, parley.Attachment{Type: "image", PlatformID: id})
	}
	ev.Attachments = append(ev.Attachments, parley.Attachment{Type: "location", URL: "https://maps.example/?q=1"})
	res, err := f.st.Ingest(context.Background(), []*parley.InboundEvent{ev})
	if err != nil || res[0].Message == nil {
		t.Fatalf("ingest: %v", err)
	}
	return &parley.Event{Type: parley.EventMessageCreated, Message: res[0].Message, At: time.Now()}
}

func TestMediaWorkerStoresMediaOnce(t *testing.T) {
	ctx := context.Background()
	f := mustMediaFixture(t)
	e := f.mustInbound(t, "ok-1", "big", "gone")
	if err := f.worker.Handle(ctx, e); err != nil {
		t.Fatal(err)
	}
	m := MustMessage(t, f.st, e.Message.ID)
	ok, big, gone, loc := m.Attachments[0], m.Attachments[1], m.Attachments[2], m.Attachments[3]
	if ok.StorageKey == "" || ok.URL != parley.FilesPath+ok.StorageKey || ok.PlatformID != "ok-1" || ok.ContentType != "text/plain; charset=utf-8" {
		t.Fatalf("stored media = %+v", ok)
	}
	rc, err := f.disk.Open(ctx, ok.StorageKey)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	if string(data) != "bytes of ok-1" {
		t.Fatalf("stored bytes %q", data)
	}
	file, err := f.st.FindFileByKey(ctx, ok.StorageKey)
	if err != nil || file.MessageID == nil || *file.MessageID != m.ID || file.ConversationID == nil || *file.ConversationID != m.ConversationID {
		t.Fatalf("file record %+v, %v", file, err)
	}
	if big.StorageKey != "" || big.FetchError == "" || gone.StorageKey != "" || gone.FetchError == "" {
		t.Fatalf("final failures not recorded: %+v %+v", big, gone)
	}
	if loc.StorageKey != "" || loc.FetchError != "" {
		t.Fatalf("a location was treated as a file: %+v", loc)
	}
	if f.events.count() != 1 {
		t.Fatalf("%d events, want one message.updated", f.events.count())
	}
	if ev := f.events.events[0]; ev.Type != parley.EventMessageUpdated || ev.Conversation == nil || ev.Conversation.ID != m.ConversationID ||
		ev.Message.Attachments[0].StorageKey != ok.StorageKey {
		t.Fatalf("event = %+v", ev)
	}
	if err := f.worker.Handle(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ok-1", "big", "gone"} {
		if n := f.adapter.callsOf(id); n != 1 {
			t.Errorf("%s fetched %d times, want once", id, n)
		}
	}
	if f.events.count() != 1 {
		t.Fatalf("a redelivery announced again")
	}
}

func TestMediaWorkerRetriesTransientFailuresThenGivesUp(t *testing.T) {
	ctx := context.Background()
	f := mustMediaFixture(t)
	e := f.mustInbound(t, "down")
	for try := 1; try < 3; try++ {
		if err := f.worker.Handle(ctx, e); err == nil {
			t.Fatalf("try %d: a transient failure was acknowledged", try)
		}
	}
	if err := f.worker.Handle(ctx, e); err != nil {
		t.Fatalf("last try: %v", err)
	}
	att := MustMessage(t, f.st, e.Message.ID).Attachments[0]
	if att.StorageKey != "" || !strings.Contains(att.FetchError, "platform down") {
		t.Fatalf("after giving up: %+v", att)
	}
	if err := f.worker.Handle(ctx, e); err != nil || f.adapter.callsOf("down") != 3 {
		t.Fatalf("fetched again after giving up: %v, %d calls", err, f.adapter.callsOf("down"))
	}
}

func TestMediaWorkerIgnoresOtherEvents(t *testing.T) {
	f := mustMediaFixture(t)
	e := f.mustInbound(t, "ok-2")
	for _, other := range []*parley.Event{
		{Type: parley.EventMessageUpdated, Message: e.Message},
		{Type: parley.EventConversationUpdated},
		{Type: parley.EventMessageCreated, Message: &parley.Message{ID: e.Message.ID, Direction: parley.DirectionOut, Attachments: e.Message.Attachments}},
	} {
		if err := f.worker.Handle(context.Background(), other); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.adapter.callsOf("ok-2"); n != 0 {
		t.Fatalf("fetched on an unrelated event (%d)", n)
	}
}

func TestFileJanitorDeletesUnsentUploads(t *testing.T) {
	ctx := context.Background()
	f := mustMediaFixture(t)
	blob, err := f.disk.Put(ctx, strings.NewReader("never sent"), 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateFile(ctx, &parley.File{Key: blob.Key, ContentType: "text/plain", Size: blob.Size, SHA256: blob.SHA256}); err != nil {
		t.Fatal(err)
	}
	j := &pipeline.FileJanitor{Store: f.st, Files: f.disk, Clock: fixedClock{time.Now().Add(time.Hour)}}
	if n, err := j.Clean(ctx); err != nil || n != 0 {
		t.Fatalf("a fresh upload was deleted: %d %v", n, err)
	}
	j.Clock = fixedClock{time.Now().Add(25 * time.Hour)}
	if n, err := j.Clean(ctx); err != nil || n != 1 {
		t.Fatalf("cleaned %d, %v", n, err)
	}
	if _, err := f.disk.Open(ctx, blob.Key); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("bytes survived: %v", err)
	}
	if _, err := f.st.FindFileByKey(ctx, blob.Key); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("record survived: %v", err)
	}
}
