package bench

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ingestOptions configure one ingest run.
type ingestOptions struct {
	url, token, email, password string
	rate                        int // messages per second; 0 = as fast as the server takes them
	duration, drain             time.Duration
	batch, concurrency, agents  int
	contacts                    int
	platform                    string // api, messenger or whatsapp
}

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o ingestOptions
	fs := flag.NewFlagSet("parley bench ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "Parley base URL")
	fs.StringVar(&o.token, "token", "", "admin API token (or --email and --password)")
	fs.StringVar(&o.email, "email", "", "admin e-mail")
	fs.StringVar(&o.password, "password", "", "admin password")
	fs.IntVar(&o.rate, "rate", 1000, "messages per second to send; 0 = closed loop, as fast as possible")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long to send")
	fs.DurationVar(&o.drain, "drain", 15*time.Second, "how long to wait for events after sending")
	fs.IntVar(&o.batch, "batch", 1, "messages per webhook request (platforms batch events)")
	fs.IntVar(&o.concurrency, "concurrency", 32, "concurrent webhook requests")
	fs.IntVar(&o.agents, "agents", 4, "agents connected over WebSocket")
	fs.IntVar(&o.contacts, "contacts", 2000, "distinct customers writing")
	fs.StringVar(&o.platform, "platform", platformAPI, "webhook format: api, messenger or whatsapp (signed as the platform signs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	res, err := Ingest(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, res)
	return nil
}

// ingestResult is what one run measured.
type ingestResult struct {
	opts                 ingestOptions
	sent, accepted       int64 // messages in requests, messages answered 200
	failedRequests       int64
	statuses             map[int]int64
	received             int64 // distinct messages seen on the first agent socket
	fanout               int64 // message events seen on all sockets
	sendWindow, procSpan time.Duration
	latency              *latencies
}

func (r *ingestResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ingest: platform=%s rate=%d/s batch=%d concurrency=%d agents=%d contacts=%d duration=%s\n",
		r.opts.platform, r.opts.rate, r.opts.batch, r.opts.concurrency, r.opts.agents, r.opts.contacts, r.opts.duration)
	fmt.Fprintf(&b, "  sent %d messages, %d acknowledged (%.0f/s offered), failed requests %d, statuses %v\n",
		r.sent, r.accepted, float64(r.sent)/r.sendWindow.Seconds(), r.failedRequests, r.statuses)
	fmt.Fprintf(&b, "  fully processed (seen on an agent socket): %d of %d = %.0f messages/s sustained; fan-out events %d\n",
		r.received, r.accepted, float64(r.received)/r.procSpan.Seconds(), r.fanout)
	fmt.Fprintf(&b, "  latency webhook sent → event on agent socket: %s\n", r.latency.summary())
	return b.String()
}

// Ingest runs the generator against a live server.
func Ingest(ctx context.Context, o ingestOptions) (*ingestResult, error) {
	c := newClient(o.url, o.concurrency)
	if err := c.signIn(ctx, o.token, o.email, o.password); err != nil {
		return nil, err
	}
	run := randomHex(4)
	if o.platform == "" {
		o.platform = platformAPI
	}
	target, err := newIngestTarget(ctx, c, o.platform, run)
	if err != nil {
		return nil, err
	}
	r := &ingestResult{opts: o, statuses: map[int]int64{}, latency: &latencies{}}
	maxMsgs := int64(o.rate)*int64(o.duration/time.Second+1) + 1
	if o.rate == 0 {
		maxMsgs = 5_000_000
	}
	sentAt := make([]atomic.Int64, maxMsgs)
	seen := make([]atomic.Bool, maxMsgs)
	var lastSeen atomic.Int64
	prefix := "bench-" + run + "-"
	record := func(first bool) func(string) {
		return func(id string) {
			atomic.AddInt64(&r.fanout, 1)
			seq, ok := strings.CutPrefix(id, prefix)
			n, err := strconv.ParseInt(seq, 10, 64)
			if !ok || err != nil || n < 0 || n >= maxMsgs || !first || seen[n].Swap(true) {
				return
			}
			now := time.Now()
			r.latency.add(now.Sub(time.Unix(0, sentAt[n].Load())))
			atomic.AddInt64(&r.received, 1)
			lastSeen.Store(now.UnixNano())
		}
	}
	wsCtx, stopWS := context.WithCancel(ctx)
	defer stopWS()
	ready := make(chan error, o.agents)
	for i := range o.agents {
		go watchAgentSocket(wsCtx, c, ready, record(i == 0))
	}
	for range o.agents {
		if err := <-ready; err != nil {
			return nil, fmt.Errorf("agent socket: %w", err)
		}
	}
	start := time.Now()
	var seq atomic.Int64
	send := func() {
		n := seq.Add(int64(o.batch)) - int64(o.batch)
		if n+int64(o.batch) > maxMsgs {
			return
		}
		body := target.body(prefix, n, o.batch, o.contacts)
		now := time.Now()
		for i := range int64(o.batch) {
			sentAt[n+i].Store(now.UnixNano())
		}
		atomic.AddInt64(&r.sent, int64(o.batch))
		status := postWithRetry(ctx, c.http, target.hook, target.sign, body)
		r.count(status, o.batch)
	}
	schedule(ctx, o, send)
	r.sendWindow = time.Since(start)
	deadline := time.Now().Add(o.drain)
	for time.Now().Before(deadline) && atomic.LoadInt64(&r.received) < atomic.LoadInt64(&r.accepted) {
		time.Sleep(50 * time.Millisecond)
	}
	r.procSpan = time.Unix(0, lastSeen.Load()).Sub(start)
	return r, nil
}

var countMu sync.Mutex

func (r *ingestResult) count(status, batch int) {
	countMu.Lock()
	r.statuses[status]++
	countMu.Unlock()
	if status == http.StatusOK {
		atomic.AddInt64(&r.accepted, int64(batch))
	} else {
		atomic.AddInt64(&r.failedRequests, 1)
	}
}

// schedule calls send open-loop at the configured rate (so a slow server
// shows as latency, not as a lower offered load), or closed-loop with
// `concurrency` workers when rate is 0.
func schedule(ctx context.Context, o ingestOptions, send func()) {
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	sem := make(chan struct{}, o.concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	if o.rate == 0 {
		for {
			select {
			case <-ctx.Done():
				return
			case sem <- struct{}{}:
			}
			wg.Add(1)
			go func() { defer wg.Done(); send(); <-sem }()
		}
	}
	interval := time.Duration(float64(time.Second) * float64(o.batch) / float64(o.rate))
	next := time.Now()
	for ctx.Err() == nil {
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		next = next.Add(interval)
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		wg.Add(1)
		go func() { defer wg.Done(); send(); <-sem }()
	}
}

var texts = []string{
	"Hello, my order has not arrived yet",
	"我想申请退款，订单号是 %d",
	"注文番号は%dです。まだ届いていません",
	"Can I change the delivery address for order %d?",
	"The app crashes when I open the settings page",
}

func webhookBody(prefix string, first int64, n, contacts int) []byte {
	type contact struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	type msg struct {
		ID        string  `json:"id"`
		Contact   contact `json:"contact"`
		Text      string  `json:"text"`
		Timestamp string  `json:"timestamp"`
	}
	msgs := make([]msg, n)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for i := range msgs {
		c := rand.IntN(contacts)
		text := texts[rand.IntN(len(texts))]
		if strings.Contains(text, "%d") {
			text = fmt.Sprintf(text, 10000+rand.IntN(90000))
		}
		msgs[i] = msg{ID: prefix + strconv.FormatInt(first+int64(i), 10),
			Contact: contact{ID: "cust-" + strconv.Itoa(c), Name: "Customer " + strconv.Itoa(c)}, Text: text, Timestamp: now}
	}
	b, _ := json.Marshal(map[string]any{"messages": msgs})
	return b
}

// postSigned posts one webhook and retries (like Meta) on anything but 200,
// a few times, returning the last status (0 for a network error).
func postSigned(ctx context.Context, hc *http.Client, url, secret string, body []byte) int {
	return postWithRetry(ctx, hc, url, func(req *http.Request, body []byte) { signAPIWebhook(req, secret, body, time.Now()) }, body)
}

// postWithRetry posts body to url, signed by sign, retrying as postSigned does.
func postWithRetry(ctx context.Context, hc *http.Client, url string, sign func(*http.Request, []byte), body []byte) int {
	status := 0
	for attempt := range 3 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), "POST", url, bytes.NewReader(body))
		if err != nil {
			return 0
		}
		sign(req, body)
		resp, err := hc.Do(req)
		if err != nil {
			status = 0
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		status = resp.StatusCode
		if status == http.StatusOK || (status >= 400 && status < 500 && status != 429) {
			return status
		}
	}
	return status
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}
