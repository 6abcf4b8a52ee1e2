package fake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"
)

// FetchedFile is a file the fake downloaded from a media link of a send.
type FetchedFile struct {
	URL         string
	ContentType string
	Data        []byte
}

// errFetchLink is Meta's answer when a media link cannot be downloaded
// (Messenger: code 100, subcode 2018008; WhatsApp 131053, media upload).
var (
	errFetchLink   = GraphError{HTTPStatus: 400, Code: 100, Subcode: 2018008, Type: "OAuthException", Message: "(#100) Failed to fetch the file from the url"}
	errWAFetchLink = GraphError{HTTPStatus: 400, Code: 131053, WhatsApp: true, Type: "OAuthException", Title: "Media upload error", Message: "(#131053) Media upload error", Details: "Downloading the media from the link failed."}
)

// checkLink checks a media link like Meta: an absolute http(s) URL that
// Meta's servers can reach. With Config.FetchMediaLinks the fake downloads
// it (a 2xx answer with a body) and keeps the bytes (FetchedMedia). s.mu
// is held.
func (s *Server) checkLink(link string, whatsApp bool) *GraphError {
	fail := errFetchLink
	if whatsApp {
		fail = errWAFetchLink
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		e := badParam("param url must be an absolute http or https URL: %q", link)
		if whatsApp {
			e = waInvalid("The link %q is not a valid URL.", link)
		}
		return &e
	}
	if !s.cfg.FetchMediaLinks {
		return nil
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(link)
	if err != nil {
		return &fail
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 100<<20))
	if err != nil || resp.StatusCode/100 != 2 || len(data) == 0 {
		return &fail
	}
	s.fetched = append(s.fetched, FetchedFile{URL: link, ContentType: resp.Header.Get("Content-Type"), Data: data})
	return nil
}

// FetchedMedia lists the files downloaded from media links of sends.
func (s *Server) FetchedMedia() []FetchedFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FetchedFile(nil), s.fetched...)
}

// messengerLink is the media URL of a Messenger/Instagram attachment.
func messengerLink(typ string, payload json.RawMessage) string {
	switch typ {
	case "image", "audio", "video", "file":
		var p struct {
			URL string `json:"url"`
		}
		_ = json.Unmarshal(payload, &p)
		return p.URL
	}
	return ""
}

// waLink is the media link of a WhatsApp send, if it sends by link.
func waLink(req *waRequest) string {
	for _, m := range []*waMedia{req.Image, req.Audio, req.Video, req.Document, req.Sticker} {
		if m != nil && m.ID == "" {
			return m.Link
		}
	}
	return ""
}
