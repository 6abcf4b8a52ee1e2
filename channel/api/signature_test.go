package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/api"
)

func newHookRequest(body []byte) *http.Request {
	return httptest.NewRequest(http.MethodPost, "/hooks/api/1", strings.NewReader(string(body)))
}

func TestSignatureMatchesTheSpecVector(t *testing.T) {
	// Computed independently with Python's hmac module.
	const want = "sha256=8ec3ace854fde63e8c17700ae74ce9cad0ba7d134f183a5e83c917236d808ce0"
	if got := api.Signature([]byte(testSecret), 1763710000, []byte(`{"messages":[]}`)); got != want {
		t.Fatalf("Signature = %s, want %s", got, want)
	}
}

func TestVerifyWebhookAcceptsAClientSignedRequest(t *testing.T) {
	a := MustAdapter(t, NewTestChannel(1, ""))
	body := MustFixture(t, "receipts.json")
	req := newHookRequest(body)
	req.Header.Set("X-Parley-Timestamp", "1763710000")
	req.Header.Set("X-Parley-Signature", "sha256=799a160d757e1c055b200667e0b1be86e6f4af116b3093c23c6a4eee1affd354") // Python hmac
	if err := a.VerifyWebhook(req, body); err != nil {
		t.Fatalf("VerifyWebhook: %v", err)
	}
}

func TestVerifyWebhookReplayWindow(t *testing.T) {
	a := MustAdapter(t, NewTestChannel(1, ""))
	body := MustFixture(t, "message_full.json")
	for _, tc := range []struct {
		name   string
		offset time.Duration
		ok     bool
	}{
		{"now is accepted", 0, true},
		{"five minutes old is accepted", -5 * time.Minute, true},
		{"five minutes ahead is accepted", 5 * time.Minute, true},
		{"older than five minutes is a replay", -5*time.Minute - time.Second, false},
		{"more than five minutes ahead is refused", 5*time.Minute + time.Second, false},
		{"a day old is a replay", -24 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newHookRequest(body)
			signAsClient(req, testSecret, testNow.Add(tc.offset), body)
			err := a.VerifyWebhook(req, body)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && (parley.ErrorCode(err) != parley.EUNAUTHORIZED || !strings.Contains(err.Error(), "replay")) {
				t.Fatalf("err = %v, want an unauthorized replay error", err)
			}
		})
	}
}

func TestVerifyWebhookRefusesBadSignatures(t *testing.T) {
	a := MustAdapter(t, NewTestChannel(1, ""))
	body := MustFixture(t, "message_full.json")
	good := specSignature(testSecret, testNow.Unix(), body)
	for _, tc := range []struct {
		name, ts, sig string
	}{
		{"missing timestamp", "", good},
		{"missing signature", "1763710000", ""},
		{"timestamp not a number", "yesterday", good},
		{"signature without prefix", "1763710000", strings.TrimPrefix(good, "sha256=")},
		{"sha1 prefix", "1763710000", "sha1=" + strings.TrimPrefix(good, "sha256=")},
		{"signature not hex", "1763710000", "sha256=zz" + good[9:]},
		{"signature truncated", "1763710000", good[:len(good)-2]},
		{"signed by another secret", "1763710000", specSignature("other", testNow.Unix(), body)},
		{"signed for another timestamp", "1763710001", good},
		{"signed over another body", "1763710000", specSignature(testSecret, testNow.Unix(), append(body, ' '))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newHookRequest(body)
			if tc.ts != "" {
				req.Header.Set(api.HeaderTimestamp, tc.ts)
			}
			if tc.sig != "" {
				req.Header.Set(api.HeaderSignature, tc.sig)
			}
			err := a.VerifyWebhook(req, body)
			if parley.ErrorCode(err) != parley.EUNAUTHORIZED {
				t.Fatalf("err = %v, want unauthorized", err)
			}
			if strings.Contains(err.Error(), good) {
				t.Fatal("error leaks the expected signature")
			}
		})
	}
}

func TestNewRequiresASecretAndAValidWebhookURL(t *testing.T) {
	noSecret := NewTestChannel(1, "")
	delete(noSecret.Secrets, api.SecretKey)
	if _, err := api.New(noSecret); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("no secret: err = %v", err)
	}
	for _, bad := range []string{"ftp://example.com/x", "/relative", "http://", "::"} {
		if _, err := api.New(NewTestChannel(1, bad)); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("webhook_url %q: err = %v, want invalid", bad, err)
		}
	}
	if _, err := api.New(NewTestChannel(1, "https://crm.example.com/parley")); err != nil {
		t.Fatalf("valid channel refused: %v", err)
	}
}
