package httpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

// signedRequest is what Meta posts: b64url(HMAC-SHA256(secret, payload
// part)) "." b64url(payload).
func signedRequest(secret string, payload map[string]any) string {
	raw, _ := json.Marshal(payload)
	p := base64.RawURLEncoding.EncodeToString(raw)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(p))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) + "." + p
}

func deletionForm(signed string) Req {
	return Req{Method: "POST", Path: "/hooks/meta/data-deletion", Body: url.Values{"signed_request": {signed}}.Encode(),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
}

func TestMetaDataDeletionCallback(t *testing.T) {
	e, _, _ := metaEnv(t)
	ctx := context.Background()
	ch := &parley.Channel{Platform: parley.PlatformMessenger, Name: "Page", Status: parley.ChannelActive, Config: map[string]string{"page_id": "111"}}
	if err := e.Store.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	ingest := func(psid, name string) *parley.Contact {
		res, err := e.Store.Ingest(ctx, []*parley.InboundEvent{{Kind: parley.InboundMessage, ChannelID: ch.ID, Platform: ch.Platform,
			ExternalID: "m_" + psid, Direction: parley.DirectionIn, Timestamp: time.Now().UTC(), Text: "hello, I am " + name,
			Sender: parley.Sender{Kind: parley.IdentityMessenger, ID: psid, Name: name}}})
		if err != nil || res[0].Contact == nil {
			t.Fatalf("ingest: %v", err)
		}
		return res[0].Contact
	}
	gone, kept := ingest("7100000000000042", "Zelinda Quartzmore"), ingest("7100000000000043", "Bartholomew")
	payload := map[string]any{"algorithm": "HMAC-SHA256", "issued_at": 1735689600, "user_id": "7100000000000042"}

	t.Run("refuses a forged or malformed request", func(t *testing.T) {
		for name, tc := range map[string]struct {
			req  Req
			want int
		}{
			"wrong secret":  {deletionForm(signedRequest("not-the-app-secret", payload)), http.StatusUnauthorized},
			"tampered user": {deletionForm(strings.Split(signedRequest(metaAppSecret, payload), ".")[0] + "." + strings.Split(signedRequest(metaAppSecret, map[string]any{"algorithm": "HMAC-SHA256", "user_id": "7100000000000043"}), ".")[1]), http.StatusUnauthorized},
			"no signature":  {deletionForm("just-one-part"), http.StatusBadRequest},
			"no field":      {Req{Method: "POST", Path: "/hooks/meta/data-deletion", Body: "x=1", Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}, http.StatusBadRequest},
			"other algo":    {deletionForm(signedRequest(metaAppSecret, map[string]any{"algorithm": "none", "user_id": "7100000000000042"})), http.StatusBadRequest},
		} {
			if rec := Do(t, e.Srv, tc.req); rec.Code != tc.want {
				t.Errorf("%s: %d %s, want %d", name, rec.Code, rec.Body, tc.want)
			}
		}
		if c, _ := e.Store.FindContactByID(ctx, gone.ID); c.Name != "Zelinda Quartzmore" {
			t.Fatalf("a refused request erased the contact: %q", c.Name)
		}
	})
	t.Run("erases the user and answers the status URL and code", func(t *testing.T) {
		rec := Do(t, e.Srv, deletionForm(signedRequest(metaAppSecret, payload)))
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		var ans struct {
			URL  string `json:"url"`
			Code string `json:"confirmation_code"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &ans)
		if ans.Code == "" || ans.URL != publicURL+"/hooks/meta/data-deletion/"+ans.Code {
			t.Fatalf("answer %s", rec.Body)
		}
		if c, _ := e.Store.FindContactByID(ctx, gone.ID); c.Name != identity.ErasedName || len(c.Identities) != 0 {
			t.Fatalf("contact after erasure: %+v", c)
		}
		if c, _ := e.Store.FindContactByID(ctx, kept.ID); c.Name != "Bartholomew" {
			t.Fatalf("another contact was touched: %+v", c)
		}
		status := Do(t, e.Srv, Req{Method: "GET", Path: strings.TrimPrefix(ans.URL, publicURL)})
		var st map[string]any
		_ = json.Unmarshal(status.Body.Bytes(), &st)
		if status.Code != http.StatusOK || st["status"] != "completed" || st["contacts_erased"] != float64(1) || st["confirmation_code"] != ans.Code {
			t.Fatalf("status %d %s", status.Code, status.Body)
		}
		if strings.Contains(status.Body.String(), "7100000000000042") {
			t.Fatalf("the status page shows the user id: %s", status.Body)
		}
	})
	t.Run("an unknown user is completed with nothing erased; unknown codes are 404", func(t *testing.T) {
		rec := Do(t, e.Srv, deletionForm(signedRequest(metaAppSecret, map[string]any{"algorithm": "HMAC-SHA256", "user_id": "999"})))
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if rec := Do(t, e.Srv, Req{Method: "GET", Path: "/hooks/meta/data-deletion/nope"}); rec.Code != http.StatusNotFound {
			t.Fatalf("unknown code: %d", rec.Code)
		}
	})
}

func TestMetaDataDeletionNeedsTheMetaApp(t *testing.T) {
	e := MustEnv(t)
	if rec := Do(t, e.Srv, deletionForm(signedRequest(metaAppSecret, map[string]any{"algorithm": "HMAC-SHA256", "user_id": "1"}))); rec.Code != http.StatusNotFound {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
