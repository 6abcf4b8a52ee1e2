package email_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email"
)

func TestThreadReply(t *testing.T) {
	a := MustAdapter(t, nil)
	answered := &parley.Message{ExternalID: "m3@customer.example", Metadata: map[string]string{
		email.MetaReferences: "m1@customer.example m3@customer.example", email.MetaCc: "bo@customer.example"}}

	t.Run("a reply answers the customer's last mail and keeps its Cc", func(t *testing.T) {
		reply := &parley.Message{Body: "ok"}
		a.ThreadReply(reply, answered)
		if reply.ReplyToID != "m3@customer.example" || reply.Metadata[email.MetaReferences] != "m1@customer.example m3@customer.example" ||
			reply.Metadata[email.MetaCc] != "bo@customer.example" {
			t.Fatalf("reply = %+v", reply)
		}
	})
	t.Run("what the agent set is kept", func(t *testing.T) {
		reply := &parley.Message{ReplyToID: "m1@customer.example", Metadata: map[string]string{email.MetaCc: ""}}
		a.ThreadReply(reply, answered)
		if reply.ReplyToID != "m1@customer.example" || reply.Metadata[email.MetaCc] != "" {
			t.Fatalf("reply = %+v", reply)
		}
	})
	t.Run("a mail without its own Message-ID is not referenced", func(t *testing.T) {
		reply := &parley.Message{}
		a.ThreadReply(reply, &parley.Message{ExternalID: "missing-00@parley.invalid"})
		if reply.ReplyToID != "" || reply.Metadata[email.MetaReferences] != "" {
			t.Fatalf("reply = %+v", reply)
		}
	})
	t.Run("an answered mail without references is referenced by its id", func(t *testing.T) {
		reply := &parley.Message{}
		a.ThreadReply(reply, &parley.Message{ExternalID: "m9@customer.example"})
		if reply.Metadata[email.MetaReferences] != "m9@customer.example" {
			t.Fatalf("reply = %+v", reply)
		}
	})
}
