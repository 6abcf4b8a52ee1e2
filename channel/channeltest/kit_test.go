package channeltest_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/channeltest"
)

// toyKit describes the toy adapter (with flaw, if any) to the kit.
func toyKit(flaw string) channeltest.Kit {
	newToy := func(baseURL string) (parley.Adapter, *parley.Channel) {
		ch := &parley.Channel{ID: 31, Platform: parley.PlatformWidget, Config: map[string]string{"verify_token": toyToken}}
		return &toyAdapter{ch: ch, baseURL: baseURL, flaw: flaw}, ch
	}
	return channeltest.Kit{
		New: func(testing.TB) (parley.Adapter, *parley.Channel) { return newToy("") },
		Sign: func(_ testing.TB, req *http.Request, body []byte) {
			m := hmac.New(sha256.New, []byte(toySecret))
			m.Write(body)
			req.Header.Set(toySignHeader, hex.EncodeToString(m.Sum(nil)))
		},
		Valid: [][]byte{
			[]byte(`{"events":[{"id":"t1","from":"v1","text":"hello","ts":1763710000}]}`),
			[]byte(`{"events":[{"id":"t2","from":"v2","text":"こんにちは","ts":1763710001},{"id":"t3","from":"v1","text":"again","ts":1763710002}]}`),
		},
		Batch: func(tb testing.TB, bodies [][]byte) []byte {
			var all struct {
				Events []json.RawMessage `json:"events"`
			}
			for _, b := range bodies {
				var part struct{ Events []json.RawMessage }
				if err := json.Unmarshal(b, &part); err != nil {
					tb.Fatal(err)
				}
				all.Events = append(all.Events, part.Events...)
			}
			out, _ := json.Marshal(all)
			return out
		},
		Handshake: &channeltest.Handshake{
			Request: func(_ testing.TB, ch *parley.Channel, valid bool) *http.Request {
				token := ch.Config["verify_token"]
				if !valid {
					token = "guess"
				}
				return httptest.NewRequest(http.MethodGet, "/hooks/widget/31?challenge=4242&token="+token, nil)
			},
			Answer: "4242",
		},
		Outbound: &channeltest.Outbound{
			New: func(_ testing.TB, baseURL string) (parley.Adapter, *parley.Channel) { return newToy(baseURL) },
			OK:  channeltest.Response{Status: 200, Body: `{"id":"toy-1"}`},
			Errors: []channeltest.ErrorCase{
				{Name: "429", Response: channeltest.Response{Status: 429, Header: http.Header{"Retry-After": {"3"}}}, Class: parley.SendRateLimited, RetryAfter: 3 * time.Second},
				{Name: "500", Response: channeltest.Response{Status: 500}, Class: parley.SendTransient},
				{Name: "401", Response: channeltest.Response{Status: 401}, Class: parley.SendAuth},
				{Name: "404", Response: channeltest.Response{Status: 404}, Class: parley.SendPermanent, Reason: "Not Found"},
			},
		},
		Limits: channeltest.Limits{TextLimit: toyTextLimit},
	}
}

func TestKitPassesACorrectAdapter(t *testing.T) { channeltest.Run(t, toyKit("")) }

func FuzzToyParseWebhook(f *testing.F) { channeltest.FuzzParseWebhook(f, toyKit("")) }

const flawEnv = "CHANNELTEST_FLAW"

// TestFlawedAdapter runs the kit on a flawed toy adapter; it only runs as
// the child process of TestKitCatchesFlaws, where it is expected to fail.
func TestFlawedAdapter(t *testing.T) {
	flaw := os.Getenv(flawEnv)
	if flaw == "" {
		t.Skip("runs as a child of TestKitCatchesFlaws")
	}
	channeltest.Run(t, toyKit(flaw))
}

// TestKitCatchesFlaws proves every check can fail: for each flaw the kit
// must fail, in the subtest named after the broken promise. The kit calls
// t.Fatal inside subtests, so each flawed run happens in a child process.
func TestKitCatchesFlaws(t *testing.T) {
	for flaw, failing := range map[string]string{
		"declares-wrong-limit":    "capabilities_match_the_declared_limits",
		"accepts-anything":        "signatures/unsigned_request_is_refused",
		"verifies-reencoded-json": "signatures/signature_covers_the_raw_bytes",
		"rejects-unknown-fields":  "delivery/unknown_fields_are_ignored",
		"keeps-first-event-only":  "delivery/a_batch_yields_every_event_of_its_parts",
		"panics-on-null":          "mutated_bodies_never_panic",
		"accepts-year-10000":      "mutated_bodies_never_panic",
		"wrong-error-code":        "mutated_bodies_never_panic",
		"shares-dedup-keys":       "delivery/different_events_of_one_body_have_different_keys",
		"stamps-wall-clock":       "delivery/duplicate_delivery_yields_identical_events_and_keys",
		"wrong-channel":           "valid_bodies_verify_and_parse",
		"handshake-ignores-token": "handshake/wrong_token_is_refused",
		"counts-bytes":            "send/text_at_the_limit_is_sent",
		"ignores-limit":           "send/text_over_the_limit_is_split_or_refused",
		"ignores-deadline":        "send/exceeded_deadline_is_transient",
		"network-is-permanent":    "send/unreachable_endpoint_is_transient",
		"429-is-transient":        "send/answer_429_is_rate_limited",
		"sends-twice":             "send/success_gives_an_external_id_after_one_request",
	} {
		t.Run(flaw, func(t *testing.T) {
			t.Parallel()
			out, err := runFlawed(t, flaw, failing)
			if err == nil {
				t.Fatalf("the kit passed an adapter that %s\n%s", flaw, out)
			}
			if !strings.Contains(out, "--- FAIL: TestFlawedAdapter/"+failing) {
				t.Fatalf("the kit failed, but not in %q:\n%s", failing, out)
			}
			if strings.Contains(out, "panic: ") && !strings.Contains(out, "ParseWebhook panic") {
				t.Fatalf("the kit itself crashed:\n%s", out)
			}
		})
	}
}

// runFlawed runs only the subtest expected to fail, to keep the child fast.
func runFlawed(t *testing.T, flaw, subtest string) (string, error) {
	pattern := "^TestFlawedAdapter$"
	for _, name := range strings.Split(subtest, "/") {
		pattern += "/^" + regexp.QuoteMeta(name)
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run="+pattern, "-test.v")
	cmd.Env = append(os.Environ(), flawEnv+"="+flaw)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
