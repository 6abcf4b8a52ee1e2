package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
)

// runSeed fills a database through the real ingest path with realistic
// mixed-language traffic, so listing and search can be measured at size.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley bench seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	contacts := fs.Int("contacts", 100_000, "customers")
	messages := fs.Int("messages", 1_000_000, "messages")
	batch := fs.Int("batch", 1000, "events per ingest transaction")
	cfg, err := app.Load(fs, args) // --database / --data-dir as for serve
	if err != nil {
		return err
	}
	st, err := app.OpenStore(ctx, cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	n, err := Seed(ctx, st, *contacts, *messages, *batch, func(done int) {
		fmt.Fprintf(stderr, "\rseeded %d/%d messages (%.0f/s)", done, *messages, float64(done)/time.Since(start).Seconds())
	})
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d messages from %d contacts in %s\n", n, *contacts, time.Since(start).Round(time.Second))
	return nil
}

// Seeder is what Seed needs of a store.
type Seeder interface {
	parley.ChannelService
	parley.IngestService
}

// Seed creates an API channel and ingests `messages` messages from
// `contacts` customers (every customer writes at least once when there are
// enough messages), in batches through IngestService.
func Seed(ctx context.Context, st Seeder, contacts, messages, batch int, progress func(int)) (int, error) {
	ch := &parley.Channel{Platform: parley.PlatformAPI, Name: "seed " + time.Now().Format(time.DateTime), Status: parley.ChannelActive,
		Secrets: map[string]string{"secret": randomHex(16)}}
	if err := st.CreateChannel(ctx, ch); err != nil {
		return 0, err
	}
	base := time.Now().Add(-time.Duration(messages) * time.Second)
	done := 0
	for done < messages {
		n := min(batch, messages-done)
		events := make([]*parley.InboundEvent, n)
		for i := range events {
			seq := done + i
			c := seq % contacts
			if seq >= contacts {
				c = rand.IntN(contacts)
			}
			events[i] = seedEvent(ch.ID, seq, c, base.Add(time.Duration(seq)*time.Second))
		}
		if _, err := st.Ingest(ctx, events); err != nil {
			return done, fmt.Errorf("ingest at %d: %w", done, err)
		}
		done += n
		if progress != nil && (done%(batch*20) == 0 || done == messages) {
			progress(done)
		}
	}
	return done, nil
}

func seedEvent(channelID int64, seq, contact int, at time.Time) *parley.InboundEvent {
	text := texts[seq%len(texts)]
	if seq%len(texts) != 0 && seq%len(texts) != 4 {
		text = fmt.Sprintf(text, 10000+seq%90000)
	}
	return &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: channelID, Platform: parley.PlatformAPI,
		ExternalID: "seed-" + strconv.Itoa(seq), Direction: parley.DirectionIn, Timestamp: at, Text: text,
		Sender: parley.Sender{Kind: parley.IdentityExternal, ID: "cust-" + strconv.Itoa(contact),
			Name: seedNames[contact%len(seedNames)] + " " + strconv.Itoa(contact), Verified: true},
	}
}

var seedNames = []string{"Ana Silva", "王伟", "佐藤 花子", "John Smith", "Fatima Zahra", "李娜", "Lukas Müller", "田中 太郎"}
