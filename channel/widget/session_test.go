package widget_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/widget"
)

// mustVisitorContact finds the contact a fresh session speaks for: the one
// whose conversation the visitor's first message opens.
func mustVisitorContact(tb testing.TB, e *env, ch *parley.Channel, token, clientID string) *parley.Contact {
	tb.Helper()
	v := e.MustConnect(tb, ch, token, 0)
	v.MustFrame(tb, "caught_up", isType("caught_up"))
	echo := v.MustSay(tb, clientID, "hello from "+clientID)
	conv, err := e.Store.FindConversationByID(context.Background(), echo.Message.ConversationID)
	if err != nil {
		tb.Fatal(err)
	}
	v.conn.CloseNow()
	return e.contactOf(tb, conv)
}

func identityOf(c *parley.Contact, kind parley.IdentityKind, value string) *parley.Identity {
	for _, id := range c.Identities {
		if id.Kind == kind && id.Value == value {
			return id
		}
	}
	return nil
}

func TestSession(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)

	t.Run("the stored token resumes the same visitor", func(t *testing.T) {
		s := e.MustSession(t, e.Channel, map[string]any{"name": "Lea"})
		first := mustVisitorContact(t, e, e.Channel, s.Token, "resume-001")
		again := e.MustSession(t, e.Channel, map[string]any{"token": s.Token})
		if again.Visitor.Name != "Lea" {
			t.Fatalf("resumed visitor %+v", again.Visitor)
		}
		if c := mustVisitorContact(t, e, e.Channel, again.Token, "resume-002"); c.ID != first.ID {
			t.Fatalf("resumed session speaks for contact %d, want %d", c.ID, first.ID)
		}
	})

	t.Run("a tampered token starts a new visitor instead", func(t *testing.T) {
		s := e.MustSession(t, e.Channel, map[string]any{"name": "Tom"})
		forged := s.Token[:len(s.Token)-2] + "AA"
		again := e.MustSession(t, e.Channel, map[string]any{"token": forged})
		if again.Token == s.Token || again.Visitor.Name == "Tom" {
			t.Fatalf("a forged token resumed the session: %+v", again.Visitor)
		}
	})

	t.Run("unsigned or wrongly signed user claims are refused and link nothing", func(t *testing.T) {
		s := e.MustSession(t, e.Channel, nil)
		for name, claim := range map[string]map[string]any{
			"unsigned":     {"id": "42"},
			"wrong secret": {"id": "42", "signature": widget.UserSignature("another-secret-0123456789", "42")},
			"other user":   {"id": "42", "signature": widget.UserSignature(testSecret, "43")},
		} {
			var out sessionResp
			status := e.call(t, "POST", sessionPath(e.Channel), map[string]any{"token": s.Token, "user": claim}, &out)
			if status != http.StatusUnauthorized && status != http.StatusBadRequest {
				t.Errorf("%s claim: status %d, want 401", name, status)
			}
		}
		c := mustVisitorContact(t, e, e.Channel, s.Token, "unsigned-01")
		if identityOf(c, parley.IdentityWidget, "u:42") != nil {
			t.Fatalf("an unsigned claim linked an identity: %+v", c.Identities)
		}
	})

	t.Run("a signed user joins the visitor's contact, and reaches it from another device", func(t *testing.T) {
		anon := e.MustSession(t, e.Channel, nil)
		anonContact := mustVisitorContact(t, e, e.Channel, anon.Token, "device-a01")
		claim := map[string]any{"id": "user-7", "signature": widget.UserSignature(testSecret, "user-7"), "name": "Yan"}
		s := e.MustSession(t, e.Channel, map[string]any{"token": anon.Token, "user": claim})
		if !s.Visitor.Identified {
			t.Fatalf("visitor not identified: %+v", s.Visitor)
		}
		c, err := e.Store.FindContactByID(context.Background(), anonContact.ID)
		if err != nil {
			t.Fatal(err)
		}
		if id := identityOf(c, parley.IdentityWidget, "u:user-7"); id == nil || !id.Verified {
			t.Fatalf("contact identities %+v, want verified u:user-7", c.Identities)
		}
		other := e.MustSession(t, e.Channel, map[string]any{"user": claim}) // a second device: no token
		if got := mustVisitorContact(t, e, e.Channel, other.Token, "device-b01"); got.ID != anonContact.ID {
			t.Fatalf("second device speaks for contact %d, want %d", got.ID, anonContact.ID)
		}
	})

	t.Run("an e-mail left in the widget is recorded unverified and never links", func(t *testing.T) {
		owner := &parley.Contact{Name: "Real Bob", Email: "bob@example.com"}
		if err := e.Store.CreateContact(context.Background(), owner); err != nil {
			t.Fatal(err)
		}
		if err := e.Store.AddIdentity(context.Background(), owner.ID, &parley.Identity{Kind: parley.IdentityEmail, Value: "bob@example.com", Verified: true}); err != nil {
			t.Fatal(err)
		}
		s := e.MustSession(t, e.Channel, map[string]any{"email": "Bob@Example.com"})
		c := mustVisitorContact(t, e, e.Channel, s.Token, "email-0001")
		if c.ID == owner.ID {
			t.Fatal("a typed e-mail linked the visitor to the address's owner")
		}
		if c.Email != "bob@example.com" {
			t.Errorf("visitor contact e-mail %q, want it recorded", c.Email)
		}
		fresh := e.MustSession(t, e.Channel, map[string]any{"email": "new@example.com"})
		c2 := mustVisitorContact(t, e, e.Channel, fresh.Token, "email-0002")
		if id := identityOf(c2, parley.IdentityEmail, "new@example.com"); id == nil || id.Verified {
			t.Errorf("identities %+v, want unverified new@example.com", c2.Identities)
		}
	})

	t.Run("malformed details are refused", func(t *testing.T) {
		for _, body := range []map[string]any{{"email": "not an address"}, {"phone": "call me"}, {"name": "a\nb"}} {
			if status := e.call(t, "POST", sessionPath(e.Channel), body, nil); status != http.StatusBadRequest {
				t.Errorf("%v: status %d, want 400", body, status)
			}
		}
	})
}

func TestIsolation(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, nil)
	other := MustWidgetChannel(t, e.Store, nil)
	a := e.MustSession(t, e.Channel, nil)
	b := e.MustSession(t, e.Channel, nil)
	va := e.MustConnect(t, e.Channel, a.Token, 0)
	va.MustFrame(t, "caught_up", isType("caught_up"))
	secret := va.MustSay(t, "secret-001", "my card ends 4242")
	reply := e.MustReply(t, secret.Message.ConversationID, "thanks, card noted")
	va.MustFrame(t, "reply", func(f frame) bool { return f.Type == "message" && f.Message.ID == reply.ID })

	vb := e.MustConnect(t, e.Channel, b.Token, 0)
	history := vb.collect(t, isType("caught_up"))

	t.Run("another visitor's history is empty of the first one's messages", func(t *testing.T) {
		for _, f := range history {
			if f.Type == "message" {
				t.Fatalf("visitor B received %+v", f.Message)
			}
		}
	})

	t.Run("live replies go only to their visitor", func(t *testing.T) {
		second := e.MustReply(t, secret.Message.ConversationID, "second private reply")
		va.MustFrame(t, "A's reply", func(f frame) bool { return f.Type == "message" && f.Message.ID == second.ID })
		mine := vb.MustSay(t, "b-message-1", "hi from B")
		if mine.Message.ConversationID == secret.Message.ConversationID {
			t.Fatal("B's message joined A's ticket")
		}
		vb.send(t, map[string]any{"type": "ping"})
		for _, f := range vb.collect(t, isType("pong")) {
			if f.Type == "message" && f.Message.ConversationID == secret.Message.ConversationID {
				t.Fatalf("B received A's message %+v", f.Message)
			}
		}
	})

	t.Run("receipts naming guessed ids are refused and change nothing", func(t *testing.T) {
		vb.send(t, map[string]any{"type": "read", "up_to": reply.ID})
		f := vb.MustFrame(t, "error", isType("error"))
		if f.Error.Code != parley.ENOTFOUND {
			t.Errorf("error %+v, want not_found", f.Error)
		}
		if got := statusOf(t, e, reply.ID); got != parley.MessageSent {
			t.Errorf("A's reply is %s after B's receipt, want sent", got)
		}
	})

	t.Run("wrong, forged and other-channel tokens are refused", func(t *testing.T) {
		for name, c := range map[string]struct {
			ch    *parley.Channel
			token string
		}{
			"garbage":       {e.Channel, "not-a-token"},
			"empty":         {e.Channel, ""},
			"bit flipped":   {e.Channel, a.Token[:20] + "x" + a.Token[21:]},
			"other channel": {other, a.Token},
		} {
			v := e.MustConnect(t, c.ch, c.token, 0)
			if code := <-v.closed; code != websocket.StatusPolicyViolation {
				t.Errorf("%s token: close %d, want policy violation", name, code)
			}
		}
	})

	t.Run("other visitors' files and guessed file names are not found", func(t *testing.T) {
		id := mustUpload(t, e, e.Channel, a.Token, "a.png", pngBytes(), http.StatusCreated)
		vb.send(t, map[string]any{"type": "message", "client_id": "steal-file1", "text": "look", "files": []string{id}})
		f := vb.MustFrame(t, "nack", isType("nack"))
		if f.Error.Code != parley.ENOTFOUND {
			t.Errorf("nack %+v, want not_found", f.Error)
		}
		if status := fetchStatus(t, e, e.Channel, b.Token, id); status != http.StatusNotFound {
			t.Errorf("B fetching A's file: status %d, want 404", status)
		}
		if status := fetchStatus(t, e, e.Channel, "", id); status != http.StatusUnauthorized {
			t.Errorf("fetching without a token: status %d, want 401", status)
		}
		if status := e.call(t, "GET", "/widget/v1/files/"+id, nil, nil); status != http.StatusNotFound {
			t.Errorf("A's file by its bare key on the legacy path: status %d, want 404", status)
		}
		if status := fetchStatus(t, e, e.Channel, a.Token, id); status != http.StatusOK {
			t.Errorf("A fetching their own file: status %d", status)
		}
		if status := e.call(t, "GET", "/widget/v1/files/0123456789abcdef0123456789abcdef", nil, nil); status != http.StatusNotFound {
			t.Errorf("guessed file: status %d", status)
		}
		if status := e.call(t, "GET", "/widget/v1/files/..%2f..%2fp.db", nil, nil); status != http.StatusNotFound {
			t.Errorf("path traversal: status %d", status)
		}
	})

	t.Run("channels that are not active widgets are not found", func(t *testing.T) {
		api := &parley.Channel{Platform: parley.PlatformAPI, Name: "api", Status: parley.ChannelActive, Secrets: map[string]string{"secret": "s"}}
		if err := e.Store.CreateChannel(context.Background(), api); err != nil {
			t.Fatal(err)
		}
		disabled := MustWidgetChannel(t, e.Store, nil)
		st := parley.ChannelDisabled
		if _, err := e.Store.UpdateChannel(context.Background(), disabled.ID, parley.ChannelUpdate{Status: &st}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{api.ID, disabled.ID, 999999} {
			if status := e.call(t, "GET", "/widget/v1/channels/"+itoa(id)+"/config", nil, nil); status != http.StatusNotFound {
				t.Errorf("config of channel %d: status %d, want 404", id, status)
			}
			if status := e.call(t, "POST", "/widget/v1/channels/"+itoa(id)+"/session", map[string]any{}, nil); status != http.StatusNotFound {
				t.Errorf("session on channel %d: status %d, want 404", id, status)
			}
		}
	})
}
