package widget

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/parleyhq/parley"
)

// Socket timings and sizes.
const (
	helloTimeout = 10 * time.Second
	writeTimeout = 10 * time.Second
	pingEvery    = 25 * time.Second
	sendQueue    = 256
	readLimit    = 64 << 10
)

// socket is one visitor connection. The HTTP handler's goroutine reads
// client frames; writeLoop alone writes, draining the bounded send queue,
// so a slow visitor only ever blocks itself.
type socket struct {
	h       *Handler
	conn    *websocket.Conn
	channel *widgetChannel
	visitor *visitor
	name    string
	remote  string
	send    chan []byte
	frames  *rate.Limiter

	convs      map[int64]struct{} // guarded by registry.mu
	latestConv int64              // guarded by registry.mu

	announce chan struct{}

	kickOnce sync.Once
	kicked   chan struct{}
	code     websocket.StatusCode
	reason   string

	lastTyping              time.Time
	lastDelivered, lastRead int64
}

// serveSocket answers GET /widget/v1/channels/{id}/ws.
func (h *Handler) serveSocket(w http.ResponseWriter, r *http.Request) {
	if err := h.limits.connect.allow(clientIP(r), "connections from this address"); err != nil {
		writeError(w, r, h.log, err)
		return
	}
	if !h.isStarted() {
		writeError(w, r, h.log, parley.Errorf(parley.EUNAVAILABLE, "the widget service is not running"))
		return
	}
	ch, err := h.loadChannel(r.Context(), r)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" && !ch.settings.AllowsOrigin(origin) {
		writeError(w, r, h.log, parley.Errorf(parley.EFORBIDDEN, "this widget is not allowed on %s", origin))
		return
	}
	// The origin was checked against the channel's own list above; the
	// token travels in the first frame, never in a cookie, so a foreign
	// page gains nothing by opening a socket.
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	conn.SetReadLimit(readLimit)
	ctx, cancel := context.WithCancel(h.life)
	defer cancel()
	s, err := h.greet(ctx, conn, ch, clientIP(r))
	if err != nil {
		conn.Close(closePolicy, parley.ErrorMessage(err))
		return
	}
	h.sockets.add(s)
	defer h.sockets.remove(s)
	go s.writeLoop(ctx)
	go s.announceLoop(ctx)
	s.run(ctx)
}

// greet reads the hello frame and checks the visitor's token.
func (h *Handler) greet(ctx context.Context, conn *websocket.Conn, ch *widgetChannel, remote string) (*socket, error) {
	hctx, cancel := context.WithTimeout(ctx, helloTimeout)
	defer cancel()
	_, data, err := conn.Read(hctx)
	if err != nil {
		return nil, parley.Errorf(parley.EINVALID, "no hello")
	}
	var hello clientFrame
	if json.Unmarshal(data, &hello) != nil || hello.Type != "hello" {
		return nil, parley.Errorf(parley.EINVALID, "the first frame must be hello")
	}
	v, err := parseToken(ch.secret, ch.ID, hello.Token)
	if err != nil {
		return nil, err
	}
	c, err := h.visitorContact(ctx, ch.ID, v)
	if err != nil {
		return nil, err
	}
	s := &socket{
		h: h, conn: conn, channel: ch, visitor: v, name: c.Name, remote: remote, send: make(chan []byte, sendQueue),
		frames: h.limits.cfg.FramePerSocket.limiter(), convs: map[int64]struct{}{}, kicked: make(chan struct{}), announce: make(chan struct{}, 1),
	}
	online := ch.settings.Open(h.clock.Now())
	s.enqueue(encodeFrame(serverFrame{Type: "ready", Online: &online,
		Visitor: &visitorView{Name: c.Name, Email: c.Email, Identified: v.Identified()}}))
	s.lastDelivered = hello.After
	go s.catchUp(ctx, hello.After)
	return s, nil
}

// catchUp sends what the visitor missed, then caught_up. It runs after
// the socket is registered, so nothing published meanwhile is lost; what
// arrives twice the widget drops by id.
func (s *socket) catchUp(ctx context.Context, after int64) {
	msgs, err := s.h.history(ctx, s, after)
	if err != nil {
		s.h.log.Warn("widget catch-up failed", "contact_id", s.visitor.ContactID, "err", err)
		s.kick(closeTooSlow, "catch-up failed; reconnect")
		return
	}
	last := after
	for _, m := range msgs {
		s.enqueue(encodeFrame(serverFrame{Type: "message", Message: s.h.view(ctx, m)}))
		last = max(last, m.ID)
	}
	s.enqueue(encodeFrame(serverFrame{Type: "caught_up", LastID: &last}))
	s.announceSoon()
}

// run reads client frames until the socket ends.
func (s *socket) run(ctx context.Context) {
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			s.kick(websocket.StatusNormalClosure, "")
			return
		}
		if !s.frames.Allow() {
			s.kick(closePolicy, "too many frames")
			return
		}
		var f clientFrame
		if err := json.Unmarshal(data, &f); err != nil {
			s.enqueue(errorFrame("error", "", parley.Errorf(parley.EINVALID, "frame is not JSON")))
			continue
		}
		s.handle(ctx, &f)
	}
}

// enqueue queues a frame; a visitor too slow to drain the queue is cut
// off and catches up when the widget reconnects.
func (s *socket) enqueue(frame []byte) {
	select {
	case s.send <- frame:
	case <-s.kicked:
	default:
		s.kick(closeTooSlow, "too slow")
	}
}

func (s *socket) kick(code websocket.StatusCode, reason string) {
	s.kickOnce.Do(func() {
		s.code, s.reason = code, reason
		close(s.kicked)
	})
}

// writeLoop writes queued frames and pings, and closes the connection
// when the socket is kicked or the context ends.
func (s *socket) writeLoop(ctx context.Context) {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	defer func() {
		s.kick(websocket.StatusNormalClosure, "")
		s.conn.Close(s.code, s.reason)
	}()
	for {
		select {
		case <-ctx.Done():
			s.kick(closeGoingAway, "server shutting down")
			return
		case <-s.kicked:
			return
		case frame := <-s.send:
			wctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := s.conn.Write(wctx, websocket.MessageText, frame)
			cancel()
			if err != nil {
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := s.conn.Ping(pctx)
			cancel()
			if err != nil && !errors.Is(err, context.Canceled) {
				return
			}
		}
	}
}
