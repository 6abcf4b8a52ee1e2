package messaging

import (
	"strconv"

	"github.com/parleyhq/parley"
)

// attachments maps webhook attachments to canonical ones. Media keep their
// type (image, audio, video, file, sticker); location becomes a map link;
// shares of posts, reels, stories and link fallbacks become "share" (the
// platform's type kept as the caption when there is no title).
//
// Until 2026-08-30 Meta sends a sticker both as a "sticker" element and as
// an "image" element (PLATFORMS.md §1): the image copy is dropped, and an
// image carrying a sticker_id (the older form) becomes a sticker.
func attachments(src []attachment) []parley.Attachment {
	stickerURLs := map[string]bool{}
	hasSticker := false
	for _, a := range src {
		if a.Type == "sticker" {
			hasSticker = true
			if u := a.url(); u != "" {
				stickerURLs[u] = true
			}
		}
	}
	var out []parley.Attachment
	seen := map[string]bool{}
	for _, a := range src {
		url, title, stickerID := a.url(), a.Title, ""
		if a.Payload != nil {
			if a.Payload.Title != "" {
				title = a.Payload.Title
			}
			stickerID = a.Payload.StickerID.String()
		}
		typ := canonicalType(a.Type)
		if typ == "image" && (stickerID != "" || stickerURLs[url]) {
			if hasSticker {
				continue // the image copy of a sticker sent twice
			}
			typ = "sticker"
		}
		if typ == "sticker" {
			if key := stickerID + "|" + url; seen[key] {
				continue
			} else {
				seen[key] = true
			}
		}
		att := parley.Attachment{Type: typ, URL: url, Caption: title}
		if typ == "share" && title == "" {
			att.Caption = a.Type
		}
		if typ == "location" && a.Payload != nil && a.Payload.Coordinates != nil {
			c := a.Payload.Coordinates
			att.URL = MapLink(c.Lat, c.Long)
		}
		out = append(out, att)
	}
	return out
}

func (a attachment) url() string {
	if a.Payload != nil && a.Payload.URL != "" {
		return a.Payload.URL
	}
	return a.URL
}

func canonicalType(t string) string {
	switch t {
	case "image", "audio", "video", "file", "sticker", "location", "story_mention":
		return t
	}
	return "share"
}

// MapLink is a map address for a shared location.
func MapLink(lat, long float64) string {
	return "https://www.google.com/maps/search/?api=1&query=" + formatCoord(lat) + "," + formatCoord(long)
}

func formatCoord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
