// Package bench is Parley's load generator and benchmark harness, run as
// `parley bench …`. It drives a running server the way platforms and
// agents do (signed webhooks in, WebSocket events out) and reports
// throughput and latency percentiles; docs/benchmarks.md records its
// figures with the commands that produced them.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Main runs a bench subcommand.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: parley bench ingest|query|seed|ceiling [flags]  (-h for flags)")
		return flag.ErrHelp
	}
	switch args[0] {
	case "ingest":
		return runIngest(ctx, args[1:], stdout, stderr)
	case "query":
		return runQuery(ctx, args[1:], stdout, stderr)
	case "seed":
		return runSeed(ctx, args[1:], stdout, stderr)
	case "ceiling":
		return runCeiling(ctx, args[1:], stdout, stderr)
	}
	return errors.New("unknown bench command " + args[0])
}
