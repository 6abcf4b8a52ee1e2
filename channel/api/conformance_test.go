package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/channeltest"
)

// conformanceKit describes the API channel to the conformance kit.
func conformanceKit(tb testing.TB) channeltest.Kit {
	return channeltest.Kit{
		New: func(tb testing.TB) (parley.Adapter, *parley.Channel) {
			ch := NewTestChannel(11, "")
			return MustAdapter(tb, ch), ch
		},
		Sign: func(_ testing.TB, req *http.Request, body []byte) { signAsClient(req, testSecret, testNow, body) },
		Valid: [][]byte{
			MustFixture(tb, "message_full.json"), MustFixture(tb, "message_minimal.json"),
			MustFixture(tb, "receipts.json"), MustFixture(tb, "mixed.json"),
		},
		Batch: batchBodies,
		Outbound: &channeltest.Outbound{
			New: func(tb testing.TB, baseURL string) (parley.Adapter, *parley.Channel) {
				ch := NewTestChannel(12, baseURL+"/parley/webhook")
				return MustAdapter(tb, ch), ch
			},
			Now: testNow,
			OK:  channeltest.Response{Status: http.StatusOK, Body: `{"ok":true}`},
			Errors: []channeltest.ErrorCase{
				{Name: "429 with seconds", Response: channeltest.Response{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, Class: parley.SendRateLimited, RetryAfter: 7 * time.Second},
				{Name: "429 with an HTTP date", Response: channeltest.Response{Status: 429, Header: http.Header{"Retry-After": {testNow.Add(90 * time.Second).Format(http.TimeFormat)}}}, Class: parley.SendRateLimited, RetryAfter: 90 * time.Second},
				{Name: "500", Response: channeltest.Response{Status: 500, Body: "boom"}, Class: parley.SendTransient},
				{Name: "502", Response: channeltest.Response{Status: 502}, Class: parley.SendTransient},
				{Name: "503", Response: channeltest.Response{Status: 503, Header: http.Header{"Retry-After": {"30"}}}, Class: parley.SendTransient, RetryAfter: 30 * time.Second},
				{Name: "401", Response: channeltest.Response{Status: 401, Body: `{"error":"bad signature"}`}, Class: parley.SendAuth},
				{Name: "403", Response: channeltest.Response{Status: 403}, Class: parley.SendAuth},
				{Name: "400 with a JSON error", Response: channeltest.Response{Status: 400, Body: `{"error":"unknown contact cust-42"}`}, Class: parley.SendPermanent, Reason: "unknown contact cust-42"},
				{Name: "422 with a nested JSON error", Response: channeltest.Response{Status: 422, Body: `{"error":{"message":"contact opted out"}}`}, Class: parley.SendPermanent, Reason: "contact opted out"},
				{Name: "404 with a text body", Response: channeltest.Response{Status: 404, Body: "no such hook\n"}, Class: parley.SendPermanent, Reason: "no such hook"},
				{Name: "410 with no body", Response: channeltest.Response{Status: 410}, Class: parley.SendPermanent, Reason: "Gone"},
				{Name: "301 is not followed", Response: channeltest.Response{Status: 301, Header: http.Header{"Location": {"http://127.0.0.1:1/elsewhere"}}}, Class: parley.SendPermanent},
			},
		},
		Limits: channeltest.Limits{TextLimit: 65536},
	}
}

// batchBodies joins API bodies by concatenating their lists.
func batchBodies(tb testing.TB, bodies [][]byte) []byte {
	tb.Helper()
	var all struct {
		Messages []json.RawMessage `json:"messages,omitempty"`
		Receipts []json.RawMessage `json:"receipts,omitempty"`
	}
	for _, b := range bodies {
		var part struct{ Messages, Receipts []json.RawMessage }
		if err := json.Unmarshal(b, &part); err != nil {
			tb.Fatalf("batch: %v", err)
		}
		all.Messages = append(all.Messages, part.Messages...)
		all.Receipts = append(all.Receipts, part.Receipts...)
	}
	out, err := json.Marshal(all)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestConformance(t *testing.T) { channeltest.Run(t, conformanceKit(t)) }

func FuzzParseWebhook(f *testing.F) { channeltest.FuzzParseWebhook(f, conformanceKit(f)) }
