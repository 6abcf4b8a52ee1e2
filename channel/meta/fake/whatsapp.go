package fake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"
)

// WhatsAppTextLimit is the Cloud API's text body limit (PLATFORMS.md §4).
const WhatsAppTextLimit = 4096

type waMedia struct {
	ID   string `json:"id"`
	Link string `json:"link"`
}

type waRequest struct {
	MessagingProduct string `json:"messaging_product"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Status           string `json:"status"`
	MessageID        string `json:"message_id"`
	Text             *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image       *waMedia `json:"image"`
	Audio       *waMedia `json:"audio"`
	Video       *waMedia `json:"video"`
	Document    *waMedia `json:"document"`
	Sticker     *waMedia `json:"sticker"`
	Interactive *struct {
		Type string `json:"type"`
		Body *struct {
			Text string `json:"text"`
		} `json:"body"`
		Action struct {
			Buttons []struct {
				Type  string `json:"type"`
				Reply struct{ ID, Title string }
			} `json:"buttons"`
			Button   string `json:"button"`
			Sections []struct {
				Rows []struct{ ID, Title, Description string } `json:"rows"`
			} `json:"sections"`
		} `json:"action"`
	} `json:"interactive"`
	Template *struct {
		Name     string `json:"name"`
		Language *struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Type       string           `json:"type"`
			Parameters []map[string]any `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
}

// whatsAppSend handles POST /{phone-number-id}/messages; s.mu is held.
func (s *Server) whatsAppSend(a *account, rec *Request, r *http.Request) (int, any) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		return errAnswer(GraphError{HTTPStatus: 401, Code: 190, Type: "OAuthException", Message: "Authentication Error: the Cloud API needs a Bearer token"})
	}
	var req waRequest
	if err := json.Unmarshal(rec.Body, &req); err != nil {
		return errAnswer(waInvalid("the request body is not valid JSON"))
	}
	if req.MessagingProduct != "whatsapp" {
		return errAnswer(badParam("The parameter messaging_product is required."))
	}
	if req.Status == "read" {
		if req.MessageID == "" {
			return errAnswer(waMissing("The parameter message_id is required."))
		}
		return 200, map[string]any{"success": true}
	}
	if req.To == "" {
		return errAnswer(waMissing("The parameter to is required."))
	}
	if e := checkWAContent(a, &req); e != nil {
		return errAnswer(*e)
	}
	if link := waLink(&req); link != "" {
		if e := s.checkLink(link, true); e != nil {
			return errAnswer(*e)
		}
	}
	var async *GraphError
	switch {
	case a.blocked[req.To]:
		async = &ErrWAUndeliver
	case req.Type != "template" && !s.withinWhatsAppWindow(a, req.To):
		async = &ErrWAReEngage
	}
	if async != nil && !s.cfg.AsyncWhatsAppFailures {
		return errAnswer(*async)
	}
	if e := s.preSend(a, ErrWAThroughput); e != nil {
		return errAnswer(*e)
	}
	wamid := "wamid.FAKE" + s.nextID("")
	msg := map[string]any{"id": wamid}
	if req.Type == "template" {
		msg["message_status"] = "accepted"
	}
	if async != nil {
		s.sendLater(a, 0, statusBody(a, wamid, req.To, "failed", s.cfg.Now(), async))
	} else {
		s.autoReceipts(a, strings.TrimPrefix(req.To, "+"), wamid)
	}
	return 200, map[string]any{"messaging_product": "whatsapp",
		"contacts": []any{map[string]any{"input": req.To, "wa_id": strings.TrimPrefix(req.To, "+")}},
		"messages": []any{msg}}
}

func (s *Server) withinWhatsAppWindow(a *account, to string) bool {
	last, ok := a.lastInbound[strings.TrimPrefix(to, "+")]
	return ok && s.cfg.Now().Sub(last) <= day
}

func checkWAContent(a *account, req *waRequest) *GraphError {
	bad := func(e GraphError) *GraphError { return &e }
	switch req.Type {
	case "text":
		if req.Text == nil || req.Text.Body == "" {
			return bad(waMissing("The parameter text['body'] is required."))
		}
		if utf8.RuneCountInString(req.Text.Body) > WhatsAppTextLimit {
			return bad(waInvalid("Param text['body'] must be at most %d characters long.", WhatsAppTextLimit))
		}
	case "image", "audio", "video", "document", "sticker":
		m := map[string]*waMedia{"image": req.Image, "audio": req.Audio, "video": req.Video, "document": req.Document, "sticker": req.Sticker}[req.Type]
		if m == nil || (m.ID == "" && m.Link == "") {
			return bad(waMissing("The parameter %s['id'] or %s['link'] is required.", req.Type, req.Type))
		}
	case "interactive":
		return checkInteractive(req)
	case "template":
		t := req.Template
		if t == nil || t.Name == "" || t.Language == nil || t.Language.Code == "" {
			return bad(waMissing("The parameters template['name'] and template['language'] are required."))
		}
		tp, ok := a.templates[t.Name+"/"+t.Language.Code]
		if e := tp.sendable(ok); e != nil {
			return e
		}
		got := 0
		for _, c := range t.Components {
			if c.Type == "body" {
				got += len(c.Parameters)
			}
		}
		if got != tp.params() {
			return bad(ErrWAParamCount)
		}
	default:
		return bad(waInvalid("Unsupported message type %q.", req.Type))
	}
	return nil
}

func checkInteractive(req *waRequest) *GraphError {
	bad := func(e GraphError) *GraphError { return &e }
	it := req.Interactive
	if it == nil || it.Body == nil || it.Body.Text == "" {
		return bad(waMissing("The parameter interactive['body']['text'] is required."))
	}
	if utf8.RuneCountInString(it.Body.Text) > 1024 {
		return bad(waInvalid("Param interactive['body']['text'] must be at most 1024 characters long."))
	}
	switch it.Type {
	case "button":
		if len(it.Action.Buttons) == 0 || len(it.Action.Buttons) > 3 {
			return bad(waInvalid("Param interactive['action']['buttons'] must have 1 to 3 elements."))
		}
		for _, b := range it.Action.Buttons {
			if b.Type != "reply" || b.Reply.ID == "" || b.Reply.Title == "" || utf8.RuneCountInString(b.Reply.Title) > 20 {
				return bad(waInvalid("Button title must be 1 to 20 characters and id non-empty."))
			}
		}
	case "list":
		rows := 0
		for _, sec := range it.Action.Sections {
			for _, r := range sec.Rows {
				rows++
				if r.ID == "" || r.Title == "" || utf8.RuneCountInString(r.Title) > 24 || utf8.RuneCountInString(r.Description) > 72 {
					return bad(waInvalid("List row title must be 1 to 24 characters, description at most 72."))
				}
			}
		}
		if it.Action.Button == "" || utf8.RuneCountInString(it.Action.Button) > 20 || rows == 0 || rows > 10 {
			return bad(waInvalid("A list needs a button label of 1 to 20 characters and 1 to 10 rows."))
		}
	default:
		return bad(waInvalid("Unsupported interactive type %q.", it.Type))
	}
	return nil
}

// AddMedia stores a file as WhatsApp media of the number and returns its
// media id; GET /{media-id} then answers its URL on this server.
func (s *Server) AddMedia(phoneNumberID string, data []byte, contentType string) string {
	var id string
	s.withAccount(phoneNumberID, func(a *account) {
		id = s.nextID("90000000000")
		s.media[id] = mediaFile{data: data, contentType: contentType, token: a.token}
	})
	return id
}

// mediaInfo answers GET /{media-id}; s.mu is held.
func (s *Server) mediaInfo(id, token string) (int, any) {
	f, ok := s.media[id]
	if !ok {
		return errAnswer(badParam("Unsupported get request. Object with ID '%s' does not exist", id))
	}
	if token != f.token {
		return errAnswer(GraphError{HTTPStatus: 401, Code: 190, Type: "OAuthException", Message: "Invalid OAuth access token - Cannot parse access token"})
	}
	sum := sha256.Sum256(f.data)
	return 200, map[string]any{"messaging_product": "whatsapp", "url": s.URL + "/media/" + id,
		"mime_type": f.contentType, "sha256": base64.StdEncoding.EncodeToString(sum[:]), "file_size": len(f.data), "id": id}
}

// serveMedia answers GET /media/{id} with the bytes, Bearer token required.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.media[strings.TrimPrefix(r.URL.Path, "/media/")]
	s.mu.Unlock()
	switch {
	case !ok:
		http.NotFound(w, r)
	case r.Header.Get("Authorization") != "Bearer "+f.token && f.token != "":
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	default:
		w.Header().Set("Content-Type", f.contentType)
		_, _ = w.Write(f.data)
	}
}

// AddFile hosts data without a token, like Meta's CDN hosts Messenger and
// Instagram attachments, and returns its URL.
func (s *Server) AddFile(data []byte, contentType string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID("cdn")
	s.media[id] = mediaFile{data: data, contentType: contentType}
	return s.URL + "/media/" + id
}
