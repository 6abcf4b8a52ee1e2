//go:build wsbench

// The scale benchmark: one hub, many concurrent sockets on loopback. It is
// left out of normal test runs; run it with
//
//	ulimit -n 65536   # or at least clients + 1,000 (each process holds one end)
//	go test -tags wsbench -run TestWebSocketScale -v -timeout 10m ./realtime/
//
// PARLEY_WSBENCH_CLIENTS (default 10000) and PARLEY_WSBENCH_EVENTS (default
// 20) change the load; PARLEY_WSBENCH_CPUPROFILE=file profiles the hub's CPU
// while the events are sent, PARLEY_WSBENCH_MEMPROFILE=file its heap once
// every client is connected. The clients run in a child process (this test binary
// again), so that the hub's memory is measured alone and each process stays
// under its file descriptor limit.
package realtime_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	parley "github.com/parleyhq/parley"
	"github.com/parleyhq/parley/realtime"
)

const childEnv = "PARLEY_WSBENCH_CHILD_URL"

// scaleResult is what the client process reports.
type scaleResult struct {
	Clients        int             `json:"clients"`
	ConnectSeconds float64         `json:"connect_seconds"`
	Events         int             `json:"events"`
	FanOut         []time.Duration `json:"fan_out"`   // per event: publish → the last client has it
	Delivery       []time.Duration `json:"delivery"`  // every (event, client) latency, sorted
	Missing        int             `json:"missing"`   // deliveries that never came
	Presence       int64           `json:"presence"`  // presence frames received (advisory)
	Closed         int64           `json:"closed"`    // sockets the hub closed
	ClosedBy       map[string]int  `json:"closed_by"` // by close status
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestWebSocketScale(t *testing.T) {
	if url := os.Getenv(childEnv); url != "" {
		runScaleClients(t, url)
		return
	}
	clients := envInt("PARLEY_WSBENCH_CLIENTS", 10000)
	events := envInt("PARLEY_WSBENCH_EVENTS", 20)

	bus := newMemBus()
	dir := newAgentDirectory()
	for id := int64(1); id <= int64(clients); id++ {
		dir.Put(agent(id, "Agent "+strconv.FormatInt(id, 10), parley.RoleAgent, id%10+1))
	}
	hub, err := realtime.NewHub(realtime.Config{
		Events: bus, Presence: bus, Agents: dir, NodeID: "bench",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := hub.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.URL.Query().Get("agent"), 10, 64)
		a, err := dir.FindAgentByID(r.Context(), id)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		hub.ServeAgent(w, r, a)
	}))
	defer srv.Close()
	defer hub.Close()

	before := memorySnapshot()
	child := exec.Command(os.Args[0], "-test.run=^TestWebSocketScale$", "-test.timeout=10m")
	child.Env = append(os.Environ(), childEnv+"="+strings.Replace(srv.URL, "http://", "ws://", 1),
		"PARLEY_WSBENCH_CLIENTS="+strconv.Itoa(clients), "PARLEY_WSBENCH_EVENTS="+strconv.Itoa(events))
	child.Stderr = os.Stderr
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 1<<20), 64<<20)
	waitLine := func(prefix string) string {
		for lines.Scan() {
			if rest, ok := strings.CutPrefix(lines.Text(), prefix); ok {
				return rest
			}
		}
		t.Fatalf("client process ended before %q: %v", prefix, lines.Err())
		return ""
	}

	waitLine("READY")
	waitUntilFor(t, 2*time.Minute, "every socket is registered", func() bool { return hub.Clients() == clients })
	time.Sleep(3 * time.Second) // let the presence burst of the connect storm drain
	after := memorySnapshot()
	if path := os.Getenv("PARLEY_WSBENCH_MEMPROFILE"); path != "" {
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		_ = pprof.WriteHeapProfile(out)
		out.Close()
	}

	if path := os.Getenv("PARLEY_WSBENCH_CPUPROFILE"); path != "" {
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			t.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	cpuBefore := cpuTime()
	for i := range events {
		now := time.Now()
		MustPublish(t, bus, &parley.Event{Type: parley.EventConversationUpdated, At: now, Trace: &now,
			Conversation: &parley.Conversation{ID: int64(i + 1), Status: parley.StatusOpen, Number: int64(1000 + i),
				LastPreview: "Hello, I need help with my order"}})
		time.Sleep(eventGap)
	}
	cpu := cpuTime() - cpuBefore
	fmt.Fprintln(stdin, "DONE")
	var res scaleResult
	if err := json.Unmarshal([]byte(waitLine("RESULT ")), &res); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	reportScale(t, clients, before, after, res, cpu)
}

// eventGap spaces the events so that each fan-out is measured alone.
const eventGap = time.Second

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type memory struct {
	heapInuse, stackInuse, sys uint64
	rss                        uint64
	goroutines                 int
}

func memorySnapshot() memory {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memory{heapInuse: m.HeapInuse, stackInuse: m.StackInuse, sys: m.Sys, rss: rssBytes(),
		goroutines: runtime.NumGoroutine()}
}

func rssBytes() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func reportScale(t *testing.T, clients int, before, after memory, res scaleResult, cpu time.Duration) {
	per := func(a, b uint64) float64 { return float64(int64(a)-int64(b)) / float64(clients) / 1024 }
	pct := func(ds []time.Duration, p float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		return ds[min(len(ds)-1, int(p*float64(len(ds))))]
	}
	fanOut := slices.Clone(res.FanOut)
	slices.Sort(fanOut)
	load, _ := os.ReadFile("/proc/loadavg")
	report := fmt.Sprintf(`WebSocket scale, %d clients on loopback, one hub (GOMAXPROCS=%d, load average %s):
  connect all:            %.1f s
  hub memory per client:  heap %.1f KiB + stacks %.1f KiB = %.1f KiB; RSS %.1f KiB; goroutines %.2f per client
  fan-out of one event to all %d clients (publish → last client), over %d events:
                          median %v, worst %v
  per-delivery latency:   p50 %v, p99 %v, max %v
  hub CPU per delivery:   %v (user + system, while the events were sent)
  missing deliveries:     %d; sockets closed by the hub: %d %v; presence frames seen: %d`,
		clients, runtime.GOMAXPROCS(0), strings.Join(strings.Fields(string(load))[:3], " "), res.ConnectSeconds,
		per(after.heapInuse, before.heapInuse), per(after.stackInuse, before.stackInuse),
		per(after.heapInuse+after.stackInuse, before.heapInuse+before.stackInuse), per(after.rss, before.rss),
		float64(after.goroutines-before.goroutines)/float64(clients),
		res.Clients, res.Events, pct(fanOut, 0.5), pct(fanOut, 1),
		pct(res.Delivery, 0.5), pct(res.Delivery, 0.99), pct(res.Delivery, 1),
		cpu/time.Duration(max(1, res.Events*res.Clients)),
		res.Missing, res.Closed, res.ClosedBy, res.Presence)
	t.Log(report)
	fmt.Println(report)
	if res.Missing > 0 || res.Closed > 0 {
		t.Errorf("%d deliveries missing, %d sockets closed: the hub did not keep up", res.Missing, res.Closed)
	}
}

func waitUntilFor(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runScaleClients is the client process: it opens the sockets, records when
// each event reaches each socket, and reports once the parent says DONE.
func runScaleClients(t *testing.T, url string) {
	clients := envInt("PARLEY_WSBENCH_CLIENTS", 10000)
	events := envInt("PARLEY_WSBENCH_EVENTS", 20)
	latency := make([][]time.Duration, events) // [event][client]; 0 = not received
	for i := range latency {
		latency[i] = make([]time.Duration, clients)
	}
	var presence, closed atomic.Int64
	var finishing atomic.Bool // set when this process closes the sockets itself
	var delivered atomic.Int64
	var closedMu sync.Mutex
	closedBy := make(map[string]int)
	conns := make([]*websocket.Conn, clients)

	start := time.Now()
	var dialing sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range clients {
		dialing.Add(1)
		sem <- struct{}{}
		go func() {
			defer dialing.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			conn, _, err := websocket.Dial(ctx, url+"/ws?agent="+strconv.Itoa(i+1), nil)
			if err != nil {
				fmt.Fprintf(os.Stderr, "dial %d: %v\n", i, err)
				os.Exit(1)
			}
			if _, _, err := conn.Read(ctx); err != nil { // hello
				fmt.Fprintf(os.Stderr, "hello %d: %v\n", i, err)
				os.Exit(1)
			}
			conns[i] = conn
		}()
	}
	dialing.Wait()
	connectSeconds := time.Since(start).Seconds()

	var reading sync.WaitGroup
	for i, conn := range conns {
		reading.Add(1)
		go func() {
			defer reading.Done()
			for {
				_, data, err := conn.Read(context.Background())
				if err != nil {
					if finishing.Load() {
						return
					}
					if s := websocket.CloseStatus(err); s != websocket.StatusNormalClosure && s != websocket.StatusGoingAway {
						closed.Add(1)
						closedMu.Lock()
						closedBy[s.String()]++
						closedMu.Unlock()
					}
					return
				}
				var e struct {
					Type         string               `json:"type"`
					Trace        *time.Time           `json:"trace"`
					Conversation *parley.Conversation `json:"conversation"`
				}
				if json.Unmarshal(data, &e) != nil {
					continue
				}
				switch {
				case e.Type == string(parley.EventPresence):
					presence.Add(1)
				case e.Trace != nil && e.Conversation != nil && e.Conversation.ID >= 1 && e.Conversation.ID <= int64(events):
					latency[e.Conversation.ID-1][i] = time.Since(*e.Trace)
					delivered.Add(1)
				}
			}
		}()
	}
	fmt.Printf("READY\n")

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() && in.Text() != "DONE" {
	}
	// Stragglers: on a busy machine this process may lag behind the hub.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if delivered.Load() == int64(events*clients) {
			break
		}
	}
	finishing.Store(true)
	for _, conn := range conns {
		_ = conn.CloseNow()
	}
	reading.Wait()
	res := scaleResult{Clients: clients, ConnectSeconds: connectSeconds, Events: events,
		Presence: presence.Load(), Closed: closed.Load(), ClosedBy: closedBy}
	for _, perClient := range latency {
		var worst time.Duration
		for _, d := range perClient {
			if d == 0 {
				res.Missing++
				continue
			}
			res.Delivery = append(res.Delivery, d)
			worst = max(worst, d)
		}
		res.FanOut = append(res.FanOut, worst)
	}
	slices.Sort(res.Delivery)
	data, _ := json.Marshal(res)
	fmt.Printf("RESULT %s\n", data)
}
