package api_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/api"
)

func TestParseWebhookMessage(t *testing.T) {
	a := MustAdapter(t, NewTestChannel(3, ""))
	events, err := a.ParseWebhook(MustFixture(t, "message_full.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &parley.InboundEvent{
		Kind: parley.InboundMessage, ChannelID: 3, Platform: parley.PlatformAPI,
		ExternalID: "ext-1", ThreadKey: "order-1042", Direction: parley.DirectionIn,
		Timestamp: time.Date(2026, 11, 21, 7, 30, 0, 0, time.UTC),
		Text:      "Olá! My order #1042 has not arrived.",
		Sender: parley.Sender{
			Kind: parley.IdentityExternal, ID: "cust-42", Name: "Ana Lima", Verified: true,
			Extra: []parley.Identity{
				{Kind: parley.IdentityEmail, Value: "ana.lima@example.com"},
				{Kind: parley.IdentityPhone, Value: "+55 11 91234-5678"},
			},
		},
		Attachments: []parley.Attachment{{Type: "image", URL: "https://files.example.com/receipt.png", Filename: "receipt.png", ContentType: "image/png"}},
	}
	if len(events) != 1 || !reflect.DeepEqual(events[0], want) {
		t.Fatalf("events = %+v\nwant %+v", events, want)
	}
}

func TestParseWebhookTrustsIdentitiesOnlyWhenConfigured(t *testing.T) {
	ch := NewTestChannel(3, "")
	ch.Config[api.ConfigTrustIdentities] = "true"
	events, err := MustAdapter(t, ch).ParseWebhook(MustFixture(t, "message_full.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range events[0].Sender.Extra {
		if !id.Verified {
			t.Fatalf("identity %+v not verified on a trusting channel", id)
		}
	}
}

func TestParseWebhookTimestamps(t *testing.T) {
	a := MustAdapter(t, NewTestChannel(3, ""))
	events, err := a.ParseWebhook(MustFixture(t, "message_minimal.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 20, 23, 31, 15, 250e6, time.UTC); !events[0].Timestamp.Equal(want) || events[0].Timestamp.Location() != time.UTC {
		t.Fatalf("offset timestamp = %v, want %v in UTC", events[0].Timestamp, want)
	}
	events, err = a.ParseWebhook([]byte(`{"messages":[{"id":"x","contact":{"id":"c"},"text":"no time"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !events[0].Timestamp.Equal(testNow) {
		t.Fatalf("missing timestamp = %v, want the clock's %v", events[0].Timestamp, testNow)
	}
}

func TestParseWebhookReceipts(t *testing.T) {
	a := MustAdapter(t, NewTestChannel(3, ""))
	events, err := a.ParseWebhook(MustFixture(t, "receipts.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		target string
		status parley.MessageStatus
		reason string
	}{
		{"parley-101", parley.MessageDelivered, ""},
		{"parley-101", parley.MessageRead, ""},
		{"parley-102", parley.MessageFailed, "contact unsubscribed"},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d", len(events), len(want))
	}
	for i, w := range want {
		e := events[i]
		if e.Kind != parley.InboundReceipt || !reflect.DeepEqual(e.Targets, []string{w.target}) || e.Status != w.status || e.FailureReason != w.reason {
			t.Errorf("receipt %d = %+v, want %+v", i, e, w)
		}
	}
	if events[0].DedupKey(nil) == events[1].DedupKey(nil) {
		t.Fatal("delivered and read receipts of one message share a de-duplication key")
	}
}

func TestParseWebhookValidation(t *testing.T) {
	a := MustAdapter(t, NewTestChannel(3, ""))
	msg := func(fields string) string { return `{"messages":[{` + fields + `}]}` }
	const okContact = `"id":"m1","contact":{"id":"c1"}`
	tooMany := make([]string, api.MaxItems+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf(`{"message_id":"p%d","status":"read"}`, i)
	}
	for _, tc := range []struct{ name, body, wantMessage string }{
		{"empty body", ``, "empty body"},
		{"whitespace body", " \n", "empty body"},
		{"not JSON", `hello`, "not the API channel's JSON"},
		{"JSON array", `[]`, "not the API channel's JSON"},
		{"trailing garbage", `{"messages":[]} x`, "not the API channel's JSON"},
		{"invalid UTF-8", "{\"messages\":[{\"id\":\"\xff\"}]}", "UTF-8"},
		{"nothing in it", `{}`, "no messages and no receipts"},
		{"empty lists", `{"messages":[],"receipts":[]}`, "no messages and no receipts"},
		{"too many items", `{"receipts":[` + strings.Join(tooMany, ",") + `]}`, "at most 100"},
		{"messages not a list", `{"messages":{}}`, "field messages must be"},
		{"text not a string", msg(okContact + `,"text":5`), "field messages.text must be string"},
		{"null message", `{"messages":[null]}`, "messages[0] is null"},
		{"missing message id", msg(`"contact":{"id":"c1"},"text":"hi"`), "messages[0].id is missing"},
		{"blank message id", msg(`"id":"  ","contact":{"id":"c1"},"text":"hi"`), "messages[0].id is missing"},
		{"overlong message id", msg(`"id":"` + strings.Repeat("x", 256) + `","contact":{"id":"c1"},"text":"hi"`), "messages[0].id is longer than 255"},
		{"missing contact", msg(`"id":"m1","text":"hi"`), "messages[0].contact is missing"},
		{"missing contact id", msg(`"id":"m1","contact":{"name":"Ana"},"text":"hi"`), "messages[0].contact.id is missing"},
		{"nothing to say", msg(okContact), "neither text nor attachments"},
		{"bad timestamp", msg(okContact + `,"text":"hi","timestamp":"21/11/2026"`), "messages[0].timestamp \"21/11/2026\" is not an RFC 3339 time from 1970 on"},
		{"timestamp before 1970", msg(okContact + `,"text":"hi","timestamp":"1969-12-31T23:59:59Z"`), "is not an RFC 3339 time"},
		{"timestamp in year 0 once in UTC", msg(okContact + `,"text":"hi","timestamp":"0000-01-01T00:00:00+01:00"`), "is not an RFC 3339 time"},
		{"unix timestamp", msg(okContact + `,"text":"hi","timestamp":1763710000`), "field messages.timestamp must be string"},
		{"overlong thread", msg(okContact + `,"text":"hi","thread":"` + strings.Repeat("t", 256) + `"`), "messages[0].thread is longer than 255"},
		{"attachment without url", msg(okContact + `,"attachments":[{"type":"image"}]`), "attachments[0] needs a type and a url"},
		{"null attachment", msg(okContact + `,"attachments":[null]`), "attachments[0] is null"},
		{"bad email", msg(`"id":"m1","contact":{"id":"c1","email":"ana at example"},"text":"hi"`), "not an e-mail address"},
		{"bad phone", msg(`"id":"m1","contact":{"id":"c1","phone":"call me"},"text":"hi"`), "not a phone number"},
		{"null receipt", `{"receipts":[null]}`, "receipts[0] is null"},
		{"receipt without message id", `{"receipts":[{"status":"read"}]}`, "receipts[0].message_id is missing"},
		{"unknown receipt status", `{"receipts":[{"message_id":"p1","status":"seen"}]}`, `receipts[0].status "seen" is not delivered, read or failed`},
		{"second item is checked too", `{"messages":[{` + okContact + `,"text":"hi"},{"id":"m2","text":"hi"}]}`, "messages[1].contact is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, err := a.ParseWebhook([]byte(tc.body))
			if parley.ErrorCode(err) != parley.EINVALID || events != nil {
				t.Fatalf("events %v, err = %v; want only an invalid error", events, err)
			}
			if msg := parley.ErrorMessage(err); !strings.Contains(msg, tc.wantMessage) {
				t.Fatalf("message %q does not say %q", msg, tc.wantMessage)
			}
		})
	}
}

func TestParseWebhookAcceptsExactlyMaxItems(t *testing.T) {
	items := make([]string, api.MaxItems)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":"m%d","contact":{"id":"c"},"text":"hi"}`, i)
	}
	events, err := MustAdapter(t, NewTestChannel(3, "")).ParseWebhook([]byte(`{"messages":[` + strings.Join(items, ",") + `]}`))
	if err != nil || len(events) != api.MaxItems {
		t.Fatalf("%d events, err %v", len(events), err)
	}
}
