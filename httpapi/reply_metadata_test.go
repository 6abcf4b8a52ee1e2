package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// TestReplyMetadata: a reply carries the channel's extras (a WhatsApp
// template, a comment reply's mode) to the sender, within bounds.
func TestReplyMetadata(t *testing.T) {
	te := MustTeamEnv(t)
	c := te.MustConversation(t, "cust-1")
	path := "/api/v1/conversations/" + itoa(c.ID) + "/messages"

	t.Run("a template reply is queued with its metadata", func(t *testing.T) {
		rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Member, Body: map[string]any{"kind": "template", "body": "Order #1042 shipped",
			"metadata": map[string]string{"template_name": "order_update", "template_params": `["Rui","#1042"]`}}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("= %d %s", rec.Code, rec.Body)
		}
		var m parley.Message
		_ = json.Unmarshal(rec.Body.Bytes(), &m)
		stored, err := te.Store.FindMessageByID(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Kind != parley.KindTemplate || stored.Status != parley.MessageQueued || stored.Direction != parley.DirectionOut ||
			stored.Metadata["template_name"] != "order_update" || stored.Metadata["template_params"] != `["Rui","#1042"]` {
			t.Errorf("stored %+v", stored)
		}
	})
	t.Run("too many metadata keys are refused", func(t *testing.T) {
		md := map[string]string{}
		for i := range 17 {
			md[fmt.Sprint("k", i)] = "v"
		}
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Member, Body: map[string]any{"body": "x", "metadata": md}}); rec.Code != http.StatusBadRequest {
			t.Errorf("= %d", rec.Code)
		}
	})
	t.Run("oversized metadata is refused", func(t *testing.T) {
		md := map[string]string{"quick_replies": strings.Repeat("x", 9000)}
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Member, Body: map[string]any{"body": "x", "metadata": md}}); rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("= %d", rec.Code)
		}
	})
	t.Run("an unknown kind is refused", func(t *testing.T) {
		if rec := Do(t, te.Srv, Req{Method: "POST", Path: path, Token: te.Member, Body: map[string]any{"body": "x", "kind": "call"}}); rec.Code != http.StatusBadRequest {
			t.Errorf("= %d", rec.Code)
		}
	})
}
