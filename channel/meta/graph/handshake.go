package graph

import (
	"crypto/subtle"
	"io"
	"net/http"
)

// Handshake answers Meta's webhook verification GET
// (?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…): 200 with the raw
// challenge when the token matches, 403 otherwise. It returns false, having
// written nothing, for anything that is not a GET.
func Handshake(w http.ResponseWriter, r *http.Request, verifyToken string) bool {
	if r.Method != http.MethodGet {
		return false
	}
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	ok := verifyToken != "" && q.Get("hub.mode") == "subscribe" &&
		subtle.ConstantTimeCompare([]byte(token), []byte(verifyToken)) == 1
	if !ok {
		http.Error(w, "verification failed", http.StatusForbidden)
		return true
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(q.Get("hub.challenge")))
	return true
}

// RespondEventReceived is the success answer to a webhook POST, as Meta's
// own samples give it; Meta only needs the 200.
func RespondEventReceived(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "EVENT_RECEIVED")
}
