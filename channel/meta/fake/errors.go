package fake

import (
	"fmt"
	"math/rand/v2"
)

// GraphError is an error the fake answers with, in Meta's envelope.
type GraphError struct {
	HTTPStatus int
	Code       int
	Subcode    int
	Type       string
	Message    string
	Title      string
	Details    string // WhatsApp error_data.details
	WhatsApp   bool
}

// Errors the fake uses, with Meta's texts (PLATFORMS.md §0, §1, §4).
var (
	ErrWindowClosed       = GraphError{HTTPStatus: 400, Code: 10, Subcode: 2018278, Type: "OAuthException", Message: "(#10) This message is sent outside of allowed window."}
	ErrUnavailable        = GraphError{HTTPStatus: 400, Code: 551, Subcode: 1545041, Type: "OAuthException", Message: "(#551) This person isn't available right now."}
	ErrNoUser             = GraphError{HTTPStatus: 400, Code: 100, Subcode: 2018001, Type: "OAuthException", Message: "(#100) No matching user found"}
	ErrPageRateLimit      = GraphError{HTTPStatus: 400, Code: 613, Type: "OAuthException", Message: "(#613) Calls to this api have exceeded the rate limit."}
	ErrAppRateLimit       = GraphError{HTTPStatus: 400, Code: 4, Type: "OAuthException", Message: "(#4) Application request limit reached"}
	ErrTokenExpired       = GraphError{HTTPStatus: 401, Code: 190, Subcode: 463, Type: "OAuthException", Message: "Error validating access token: Session has expired."}
	ErrTemporary          = GraphError{HTTPStatus: 500, Code: 2, Type: "OAuthException", Message: "An unexpected error has occurred. Please retry your request later."}
	ErrWAReEngage         = GraphError{HTTPStatus: 400, Code: 131047, WhatsApp: true, Type: "OAuthException", Title: "Re-engagement message", Message: "Re-engagement message", Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}
	ErrWAUndeliver        = GraphError{HTTPStatus: 400, Code: 131026, WhatsApp: true, Type: "OAuthException", Title: "Message undeliverable", Message: "Message undeliverable", Details: "Message Undeliverable."}
	ErrWAThroughput       = GraphError{HTTPStatus: 400, Code: 130429, WhatsApp: true, Type: "OAuthException", Title: "Rate limit hit", Message: "(#130429) Rate limit hit", Details: "Cloud API message throughput has been reached."}
	ErrWAPairLimit        = GraphError{HTTPStatus: 400, Code: 131056, WhatsApp: true, Type: "OAuthException", Title: "(Business Account, Consumer Account) pair rate limit hit", Message: "(#131056) (Business Account, Consumer Account) pair rate limit hit", Details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."}
	ErrWATemplate         = GraphError{HTTPStatus: 404, Code: 132001, WhatsApp: true, Type: "OAuthException", Title: "Template name does not exist in the translation", Message: "(#132001) Template name does not exist in the translation"}
	ErrWATemplatePaused   = GraphError{HTTPStatus: 400, Code: 132015, WhatsApp: true, Type: "OAuthException", Title: "Template is Paused", Message: "(#132015) Template is Paused", Details: "Template is paused due to low quality so it cannot be sent in a template message."}
	ErrWATemplateDisabled = GraphError{HTTPStatus: 400, Code: 132016, WhatsApp: true, Type: "OAuthException", Title: "Template is Disabled", Message: "(#132016) Template is Disabled", Details: "Template has been paused too many times due to low quality and is now permanently disabled."}
	ErrWAParamCount       = GraphError{HTTPStatus: 400, Code: 132000, WhatsApp: true, Type: "OAuthException", Title: "Number of parameters does not match the expected number of params", Message: "(#132000) Number of parameters does not match the expected number of params"}
)

func badParam(format string, args ...any) GraphError {
	return GraphError{HTTPStatus: 400, Code: 100, Type: "OAuthException", Message: "(#100) " + fmt.Sprintf(format, args...)}
}

func waMissing(format string, args ...any) GraphError {
	return GraphError{HTTPStatus: 400, Code: 131008, WhatsApp: true, Type: "OAuthException", Title: "Required parameter is missing", Message: "(#131008) Required parameter is missing", Details: fmt.Sprintf(format, args...)}
}

func waInvalid(format string, args ...any) GraphError {
	return GraphError{HTTPStatus: 400, Code: 131009, WhatsApp: true, Type: "OAuthException", Title: "Parameter value is not valid", Message: "(#131009) Parameter value is not valid", Details: fmt.Sprintf(format, args...)}
}

// envelope is the JSON of the error.
func (e GraphError) envelope() map[string]any {
	in := map[string]any{"message": e.Message, "type": e.Type, "code": e.Code, "fbtrace_id": fmt.Sprintf("A%x", rand.Uint64())}
	if e.Subcode != 0 {
		in["error_subcode"] = e.Subcode
	}
	if e.WhatsApp {
		in["error_data"] = map[string]any{"messaging_product": "whatsapp", "details": e.Details}
	}
	return map[string]any{"error": in}
}

// element is the error as WhatsApp puts it in statuses[].errors.
func (e GraphError) element() map[string]any {
	return map[string]any{"code": e.Code, "title": e.Title, "message": e.Message,
		"error_data": map[string]any{"details": e.Details},
		"href":       "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}
}

func errAnswer(e GraphError) (int, any) { return e.HTTPStatus, e.envelope() }
