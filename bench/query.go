package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"
)

// runQuery measures the latency of the agent's read paths: inbox listings
// (each view and sort) and search, sequentially, as one agent clicking.
func runQuery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley bench query", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "Parley base URL")
	token := fs.String("token", "", "API token (or --email/--password)")
	email := fs.String("email", "", "e-mail")
	password := fs.String("password", "", "password")
	n := fs.Int("n", 300, "requests per query")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c := newClient(*base, 1)
	if err := c.signIn(ctx, *token, *email, *password); err != nil {
		return err
	}
	queries := []string{
		"/api/v1/conversations?view=all&limit=50",
		"/api/v1/conversations?view=all&status=open&sort=oldest_waiting&limit=50",
		"/api/v1/conversations?view=unassigned&sort=priority&limit=50",
		"/api/v1/conversations?view=all&tag=channel:api&limit=50",
		"/api/v1/search?q=" + url.QueryEscape("退款"),
		"/api/v1/search?q=" + url.QueryEscape("注文"),
		"/api/v1/search?q=" + url.QueryEscape("delivery address"),
	}
	for _, q := range queries {
		var l latencies
		for range *n {
			start := time.Now()
			var out map[string]any
			if err := c.do(ctx, "GET", q, nil, &out); err != nil {
				return err
			}
			l.add(time.Since(start))
		}
		fmt.Fprintf(stdout, "query %-75s %s\n", q, l.summary())
	}
	return nil
}
