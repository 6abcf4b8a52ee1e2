package widget

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Server → visitor frames (one JSON object per text message):
//
//	{"type":"ready","visitor":{name,email,identified},"online":bool}   once, after hello
//	{"type":"message","message":<messageView>}                        a message of the thread, new or changed
//	{"type":"caught_up","last_id":N}                                  catch-up done
//	{"type":"ack","client_id":"…"}                                    a visitor message is stored durably
//	{"type":"nack","client_id":"…","error":{code,message}}            it was refused; retry if unavailable
//	{"type":"agent","name":"Ana","activity":"typing"|"viewing"|"left"}  an agent in the thread
//	{"type":"pong"} · {"type":"error","error":{code,message}}
//
// Visitor → server frames:
//
//	{"type":"hello","token":"…","after":N}      first; after = highest message id seen (0 = all)
//	{"type":"message","client_id":"…","text":"…","files":["…"],"page":"https://…"}
//	{"type":"typing","active":true|false}
//	{"type":"delivered"|"read","up_to":N}       receipts for agents' messages up to id N
//	{"type":"ping"}
type serverFrame struct {
	Type     string       `json:"type"`
	Message  *messageView `json:"message,omitempty"`
	Visitor  *visitorView `json:"visitor,omitempty"`
	Online   *bool        `json:"online,omitempty"`
	ClientID string       `json:"client_id,omitempty"`
	LastID   *int64       `json:"last_id,omitempty"`
	Name     string       `json:"name,omitempty"`
	Activity string       `json:"activity,omitempty"`
	Error    *frameError  `json:"error,omitempty"`
}

type frameError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func errorFrame(typ, clientID string, err error) []byte {
	return encodeFrame(serverFrame{Type: typ, ClientID: clientID,
		Error: &frameError{Code: parley.ErrorCode(err), Message: parley.ErrorMessage(err)}})
}

func encodeFrame(f serverFrame) []byte {
	b, _ := json.Marshal(f)
	return b
}

type clientFrame struct {
	Type     string   `json:"type"`
	Token    string   `json:"token"`
	After    int64    `json:"after"`
	ClientID string   `json:"client_id"`
	Text     string   `json:"text"`
	Files    []string `json:"files"`
	Page     string   `json:"page"`
	Active   bool     `json:"active"`
	UpTo     int64    `json:"up_to"`
}

// messageView is a message as the visitor sees it: never internal fields,
// failure reasons or metadata.
type messageView struct {
	ID             int64            `json:"id"`
	ConversationID int64            `json:"conversation_id"`
	Direction      parley.Direction `json:"direction"`
	Body           string           `json:"body"`
	Attachments    []attachmentView `json:"attachments,omitempty"`
	Status         string           `json:"status"`
	Author         string           `json:"author,omitempty"`
	ClientID       string           `json:"client_id,omitempty"`
	CreatedAt      time.Time        `json:"created_at"`
}

type attachmentView struct {
	Type        string `json:"type"`
	URL         string `json:"url"`
	Filename    string `json:"filename,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
}

// visibleToVisitor says whether the visitor may see m: their own messages,
// and agents' replies once sent. Notes and activity lines never.
func visibleToVisitor(m *parley.Message) bool {
	switch m.Kind {
	case parley.KindText, parley.KindMedia, parley.KindTemplate:
	default:
		return false
	}
	switch m.Direction {
	case parley.DirectionIn:
		return true
	case parley.DirectionOut:
		return m.Status.Rank() >= parley.MessageSent.Rank()
	}
	return false
}

func viewOf(m *parley.Message, author string) *messageView {
	v := &messageView{
		ID: m.ID, ConversationID: m.ConversationID, Direction: m.Direction, Body: m.Body,
		Status: string(m.Status), CreatedAt: m.CreatedAt,
	}
	if m.Direction == parley.DirectionOut {
		v.Author = author
	} else {
		v.ClientID = clientIDOf(m.ExternalID)
	}
	for _, a := range m.Attachments {
		v.Attachments = append(v.Attachments, attachmentView{Type: a.Type, URL: a.URL, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size})
	}
	return v
}

// inboundExternalID is the external id of a visitor's message: the
// contact and the widget's own id for it, so that a resend after a
// reconnect is a duplicate, and one visitor can never collide with another.
func inboundExternalID(contactID int64, clientID string) string {
	return "widget-in-" + strconv.FormatInt(contactID, 10) + "-" + clientID
}

func clientIDOf(externalID string) string {
	rest, ok := strings.CutPrefix(externalID, "widget-in-")
	if !ok {
		return ""
	}
	_, id, _ := strings.Cut(rest, "-")
	return id
}

// validClientID accepts the widget's message ids: 8–64 URL-safe characters.
func validClientID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
