package httpapi

import (
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// transcript is a ticket as a person reads it: one block per message, in
// order, saying who wrote it and when. It is for the data subject, so
// English labels and UTC times are enough.
func transcript(contact *parley.Contact, c *parley.Conversation, msgs []*parley.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Conversation #%d on %s (channel %d)\n", c.Number, c.Platform, c.ChannelID)
	if c.Subject != "" {
		fmt.Fprintf(&b, "Subject: %s\n", c.Subject)
	}
	fmt.Fprintf(&b, "Status: %s\nOpened: %s\n", c.Status, utc(c.CreatedAt))
	for _, m := range msgs {
		fmt.Fprintf(&b, "\n[%s] %s:\n", utc(messageTime(m)), author(contact, m))
		if m.Body != "" {
			for _, line := range strings.Split(m.Body, "\n") {
				b.WriteString("  " + line + "\n")
			}
		}
		for _, a := range m.Attachments {
			name := a.Filename
			if name == "" {
				name = a.Type
			}
			fmt.Fprintf(&b, "  [attachment: %s]\n", name)
		}
		if m.Status == parley.MessageFailed {
			fmt.Fprintf(&b, "  (not delivered: %s)\n", m.FailureReason)
		}
	}
	return b.String()
}

func author(contact *parley.Contact, m *parley.Message) string {
	agent := "Agent"
	if m.AuthorAgentID != nil {
		agent = fmt.Sprintf("Agent #%d", *m.AuthorAgentID)
	}
	switch {
	case m.Kind == parley.KindNote:
		return "Internal note by " + agent
	case m.Kind == parley.KindActivity:
		return "Activity"
	case m.Direction == parley.DirectionIn:
		if contact != nil && contact.Name != "" {
			return contact.Name
		}
		return "Customer"
	}
	return agent
}

func messageTime(m *parley.Message) time.Time {
	if m.SentAt != nil {
		return *m.SentAt
	}
	return m.CreatedAt
}

func utc(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
