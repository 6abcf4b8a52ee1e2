package email_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/channel/email"
)

func TestRoutes(t *testing.T) {
	var got []int64
	box := func(id int64, addr string, aliases ...string) *email.Mailbox {
		return &email.Mailbox{ChannelID: id, Address: addr, Aliases: aliases,
			Deliver: func(context.Context, []byte) error { got = append(got, id); return nil }}
	}
	// Given out of id order: ties go to the lowest channel id.
	routes := email.NewRoutes([]*email.Mailbox{
		box(3, "sales@shop.example", "inbox@mx.example"),
		box(2, "Support@Example.com", "inbox@mx.example"),
	})
	cases := []struct {
		name  string
		rcpts []string
		raw   string
		want  []int64
	}{
		{"own address, any case, with angle brackets", []string{"<SUPPORT@example.com>"}, "", []int64{2}},
		{"plus-address", []string{"support+tabcdefghijklmnop@example.com"}, "", []int64{2}},
		{"two channels, one delivery each", []string{"sales@shop.example", "support@example.com", "support+x@example.com"}, "", []int64{3, 2}},
		{"shared alias: X-Original-To decides", []string{"inbox@mx.example"}, "X-Original-To: sales@shop.example\r\nTo: support@example.com\r\n\r\nhi", []int64{3}},
		{"shared alias: To with a plus-address decides", []string{"inbox@mx.example"}, "To: Sales <sales+t1@shop.example>\r\n\r\nhi", []int64{3}},
		{"shared alias without a telling header: lowest id", []string{"inbox@mx.example"}, "To: someone@else.example\r\n\r\nhi", []int64{2}},
		{"unknown recipient", []string{"nobody@example.com"}, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got = nil
			err := email.DeliverRouted(context.Background(), routes, c.rcpts, []byte(c.raw))
			if (err != nil) != (c.want == nil) || len(got) != len(c.want) {
				t.Fatalf("delivered to %v (%v), want %v", got, err, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("delivered to %v, want %v", got, c.want)
				}
			}
		})
	}
	if ok, _ := (email.StaticRouter{Routes: routes}).Accept(context.Background(), "inbox@MX.example"); !ok {
		t.Error("the shared alias is refused")
	}
}
