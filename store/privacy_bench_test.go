package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store/storetest"
)

// BenchmarkEraseContact measures erasing one contact from a database of
// PARLEY_BENCH_MESSAGES messages (default 100,000). On SQLite this
// includes rewriting the full-text segments so the erased terms leave the
// file, which grows with the index, not with the contact.
func BenchmarkEraseContact(b *testing.B) {
	messages := 100_000
	if n, err := strconv.Atoi(os.Getenv("PARLEY_BENCH_MESSAGES")); err == nil && n > 0 {
		messages = n
	}
	engines := map[string]func(tb testing.TB) string{
		"sqlite":   func(tb testing.TB) string { return "sqlite:" + tb.TempDir() + "/erase.db" },
		"postgres": storetest.MustCreatePostgresDB,
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(fmt.Sprintf("%s/messages=%d", name, messages), func(b *testing.B) {
			ctx := context.Background()
			st := storetest.MustOpenDSN(b, engines[name](b))
			ch := storetest.MustCreateChannel(b, st, parley.PlatformMessenger)
			contacts := messages / 10
			if err := storetest.Seed(ctx, st, ch.ID, contacts, messages); err != nil {
				b.Fatal(err)
			}
			next := int64(1)
			for b.Loop() {
				if _, err := st.EraseContact(ctx, next, 0); err != nil {
					b.Fatal(err)
				}
				next++
			}
		})
	}
}
