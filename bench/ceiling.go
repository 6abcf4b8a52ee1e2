package bench

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the same pure-Go driver Parley uses
)

// runCeiling measures what the machine can do at all, without Parley: a
// bare net/http handler driven by the same request loop, and a bare
// batched SQLite insert loop. Parley's figures are read against these.
func runCeiling(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley bench ceiling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 5*time.Second, "how long each measurement runs")
	concurrency := fs.Int("concurrency", 32, "concurrent requests")
	batch := fs.Int("batch", 1, "messages per request / rows per transaction ÷ 256")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rps, err := bareHTTP(ctx, *duration, *concurrency, *batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ceiling: bare net/http handler, signed %d-message webhook bodies: %.0f requests/s = %.0f messages/s\n", *batch, rps, rps*float64(*batch))
	rows, err := bareSQLite(ctx, *duration, 256)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ceiling: bare SQLite (WAL) insert loop, 256 rows per transaction: %.0f rows/s\n", rows)
	return nil
}

func bareHTTP(ctx context.Context, d time.Duration, concurrency, batch int) (float64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	c := newClient("http://"+ln.Addr().String(), concurrency)
	var ok atomic.Int64
	var seq atomic.Int64
	o := ingestOptions{rate: 0, duration: d, concurrency: concurrency, batch: batch}
	start := time.Now()
	schedule(ctx, o, func() {
		body := webhookBody("ceiling-", seq.Add(int64(batch)), batch, 1000)
		if postSigned(ctx, c.http, c.base+"/", "secret", body) == http.StatusOK {
			ok.Add(1)
		}
	})
	return float64(ok.Load()) / time.Since(start).Seconds(), nil
}

func bareSQLite(ctx context.Context, d time.Duration, batch int) (float64, error) {
	dir, err := os.MkdirTemp("", "parley-ceiling-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "c.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE m (id INTEGER PRIMARY KEY, channel_id INTEGER, external_id TEXT, body TEXT, UNIQUE(channel_id, external_id))`); err != nil {
		return 0, err
	}
	start, n := time.Now(), 0
	for time.Since(start) < d {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO m (channel_id, external_id, body) VALUES (1, ?, ?)`)
		if err != nil {
			return 0, err
		}
		for range batch {
			if _, err := stmt.ExecContext(ctx, "x"+strconv.Itoa(n), "我想申请退款，订单号是 12345"); err != nil {
				return 0, err
			}
			n++
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
