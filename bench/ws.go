package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/coder/websocket"
)

// eventFrame is the part of a realtime frame the generator reads.
type eventFrame struct {
	Type    string `json:"type"`
	Message *struct {
		ExternalID string `json:"external_id"`
	} `json:"message"`
}

// watchAgentSocket connects one agent socket and calls seen for every
// message.created frame until ctx ends. ready is closed after the hello.
func watchAgentSocket(ctx context.Context, c *client, ready chan<- error, seen func(externalID string)) {
	url := "ws" + strings.TrimPrefix(c.base, "http") + "/api/v1/ws"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + c.token}},
	})
	if err != nil {
		ready <- err
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	announced := false
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			if !announced {
				ready <- err
			}
			return
		}
		var f eventFrame
		if json.Unmarshal(b, &f) != nil {
			continue
		}
		if f.Type == "hello" && !announced {
			announced = true
			ready <- nil
			continue
		}
		if f.Type == "message.created" && f.Message != nil {
			seen(f.Message.ExternalID)
		}
	}
}
