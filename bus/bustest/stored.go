package bustest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// StoredMessages returns the raw subject, headers and data of every message
// left in the named streams, so that tests can prove what is gone.
func StoredMessages(ctx context.Context, js jetstream.JetStream, streams []string) ([][]byte, error) {
	var out [][]byte
	for _, name := range streams {
		s, err := js.Stream(ctx, name)
		if err != nil {
			return nil, err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return nil, err
		}
		for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			out = append(out, rawMessage(m))
		}
	}
	return out, nil
}

func rawMessage(m *jetstream.RawStreamMsg) []byte {
	raw := []byte(m.Subject)
	for k, vs := range m.Header {
		raw = append(raw, k...)
		for _, v := range vs {
			raw = append(raw, v...)
		}
	}
	return append(raw, m.Data...)
}

// MustStoredMessages is StoredMessages on the server at url.
func MustStoredMessages(tb testing.TB, url string, streams []string) [][]byte {
	tb.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		tb.Fatalf("connect to %s: %v", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msgs, err := StoredMessages(ctx, js, streams)
	if err != nil {
		tb.Fatalf("reading streams: %v", err)
	}
	return msgs
}
