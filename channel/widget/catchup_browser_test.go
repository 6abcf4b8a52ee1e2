package widget_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
)

// scriptedSocket stands in for the widget's WebSocket: the nth connection
// plays script[n], so that frame orders the real server produces only
// under load (a live reply overtaking catch-up, a drop mid catch-up) happen
// on every run. It reports each hello's resume cursor.
type scriptedSocket struct {
	script [][]string
	hellos chan int64

	mu   sync.Mutex
	next int
}

func (s *scriptedSocket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx := r.Context()
	_, data, err := conn.Read(ctx)
	if err != nil {
		return
	}
	var hello struct {
		After int64 `json:"after"`
	}
	_ = json.Unmarshal(data, &hello)
	s.hellos <- hello.After
	s.mu.Lock()
	n := s.next
	s.next++
	s.mu.Unlock()
	if n >= len(s.script) {
		<-ctx.Done() // no more script: stay connected and quiet
		return
	}
	frames := s.script[n]
	for _, f := range frames {
		if f == "drop" {
			conn.Close(websocket.StatusGoingAway, "cut")
			return
		}
		if err := conn.Write(ctx, websocket.MessageText, []byte(f)); err != nil {
			return
		}
	}
	for { // hold the line; the widget's frames need no answer here
		if _, _, err := conn.Read(ctx); err != nil {
			return
		}
	}
}

func msgFrame(id int64, dir, body, status string) string {
	b, _ := json.Marshal(map[string]any{"type": "message", "message": map[string]any{
		"id": id, "conversation_id": 1, "direction": dir, "body": body, "status": status, "author": "Ana",
		"created_at": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}})
	return string(b)
}

const (
	readyFrame = `{"type":"ready","online":true,"visitor":{"name":"","identified":false}}`
	caughtUp20 = `{"type":"caught_up","last_id":20}`
	caughtUp30 = `{"type":"caught_up","last_id":30}`
)

// TestBrowserCatchUpOvertaken: a reply pushed live while catch-up is still
// on its way must neither show twice nor move the widget's resume cursor,
// or a drop before caught_up loses every older reply catch-up had yet to
// send.
func TestBrowserCatchUpOvertaken(t *testing.T) {
	ctx := MustBrowser(t)
	e := MustEnv(t, roomy, nil)
	sock := &scriptedSocket{hellos: make(chan int64, 10), script: [][]string{
		{readyFrame, msgFrame(10, "in", "my question", "received"), msgFrame(20, "out", "first answer", "sent"), caughtUp20, "drop"},
		// Away a while: reply 25 was sent meanwhile; reply 30 goes out
		// live just as the widget is back, ahead of catch-up. Then the line drops.
		{readyFrame, msgFrame(30, "out", "live reply", "sent"), "drop"},
		{readyFrame, msgFrame(25, "out", "reply while away", "sent"), msgFrame(30, "out", "live reply", "sent"), caughtUp30,
			msgFrame(30, "out", "live reply", "delivered")},
	}}
	mux := http.NewServeMux()
	mux.Handle("/widget/v1/channels/{id}/ws", sock)
	mux.Handle("/", e.Handler)
	parleySrv := httptest.NewServer(mux)
	t.Cleanup(parleySrv.Close)
	host := hostPage(t, parleySrv.URL, e.Channel.ID, "")

	tokenKey := "parley.widget." + itoa(e.Channel.ID) + ".token"
	browse(t, ctx, "store a visitor token", chromedp.Navigate(host.URL), until(shadow+`?.querySelector(".launcher") != null`),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem("`+tokenKey+`", "any-token")`))
	browse(t, ctx, "reload as a returning visitor", chromedp.Reload(), until(shadow+`?.querySelector(".launcher") != null`),
		chromedp.Click(inWidget(".launcher")))

	var hellos []int64
	for len(hellos) < 3 {
		select {
		case after := <-sock.hellos:
			hellos = append(hellos, after)
		case <-time.After(20 * time.Second):
			t.Fatalf("the widget reconnected %d times, want 3 (hellos %v)", len(hellos), hellos)
		}
	}
	if want := []int64{0, 20, 20}; !slices.Equal(hellos, want) {
		t.Errorf("hello cursors %v, want %v: a live reply before caught_up must not move the cursor", hellos, want)
	}
	browse(t, ctx, "catch-up shown", until(bubbleCount("reply while away")+` === 1`))
	for _, text := range []string{"my question", "first answer", "reply while away", "live reply"} {
		if n := value[int](t, ctx, bubbleCount(text)); n != 1 {
			t.Errorf("%q shown %d times, want once", text, n)
		}
	}
	if got := value[string](t, ctx, shadow+`.textContent`); strings.Count(got, "live reply") != 1 {
		t.Errorf("widget text shows the live reply %d times", strings.Count(got, "live reply"))
	}
}
