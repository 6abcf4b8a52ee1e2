package api

import (
	"strconv"
	"time"

	"github.com/parleyhq/parley"
)

// Outbound webhook types.
const (
	TypeMessageCreated      = "message.created"      // an agent's reply to deliver
	TypeMessageUpdated      = "message.updated"      // a reply's delivery status changed
	TypeConversationUpdated = "conversation.updated" // the ticket's status (or other fields) changed
)

// Payload is the JSON body of every webhook Parley POSTs to an API
// channel's webhook_url.
type Payload struct {
	Type         string               `json:"type"`
	Message      *PayloadMessage      `json:"message,omitempty"`
	Conversation *PayloadConversation `json:"conversation,omitempty"`
	Contact      *PayloadContact      `json:"contact,omitempty"`
}

// PayloadMessage is a message as the API channel's client sees it. ID is
// the message's external id, which receipts name in message_id.
type PayloadMessage struct {
	ID          string       `json:"id"`
	Text        string       `json:"text,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Timestamp   string       `json:"timestamp,omitempty"`
	Thread      string       `json:"thread,omitempty"`
	Status      string       `json:"status,omitempty"`
	Reason      string       `json:"reason,omitempty"`
}

// PayloadConversation is the ticket a webhook is about.
type PayloadConversation struct {
	ID     int64  `json:"id"`
	Number int64  `json:"number"`
	Status string `json:"status"`
}

// PayloadContact names the customer by the client's own contact id.
type PayloadContact struct {
	ID string `json:"id"`
}

// ExternalID is the id the API channel gives Parley's message id.
func ExternalID(messageID int64) string { return "parley-" + strconv.FormatInt(messageID, 10) }

func payloadMessage(m *parley.Message, thread string) *PayloadMessage {
	pm := &PayloadMessage{ID: ExternalID(m.ID), Text: m.Body, Thread: thread, Status: string(m.Status), Reason: m.FailureReason}
	if !m.CreatedAt.IsZero() {
		pm.Timestamp = m.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	for _, at := range m.Attachments {
		pm.Attachments = append(pm.Attachments, Attachment{Type: at.Type, URL: at.URL, Filename: at.Filename, ContentType: at.ContentType})
	}
	return pm
}

func payloadConversation(c *parley.Conversation) *PayloadConversation {
	if c == nil {
		return nil
	}
	return &PayloadConversation{ID: c.ID, Number: c.Number, Status: string(c.Status)}
}
