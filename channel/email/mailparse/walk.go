package mailparse

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-message"
	"github.com/parleyhq/parley"
)

// walker visits the MIME tree once, in order, collecting bodies and files.
type walker struct {
	parts    int
	plain    []string
	html     []string
	inline   []Part
	attached []Part
	report   *DeliveryReport
	isReport bool
}

func (w *walker) walk(e *message.Entity, depth int, parent string) error {
	if depth > MaxDepth {
		return parley.Errorf(parley.EINVALID, "mail is nested more than %d levels deep", MaxDepth)
	}
	w.parts++
	if w.parts > MaxParts {
		return parley.Errorf(parley.EINVALID, "mail has more than %d parts", MaxParts)
	}
	mt, params := mediaType(e.Header)
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if mt == "multipart/report" {
			w.isReport = true
		}
		return w.walkMultipart(e, depth, mt)
	case parent == "multipart/report" && isDeliveryStatus(mt):
		w.reportFrom(readAll(e.Body))
	case parent == "multipart/report" && isReturnedMessage(mt):
		w.returnedMessage(readAll(e.Body))
	default:
		w.leaf(e, mt, params, parent)
	}
	return nil
}

// walkMultipart visits the children of a multipart entity. A broken
// boundary ends the walk of this entity but keeps what was read before it.
func (w *walker) walkMultipart(e *message.Entity, depth int, mt string) error {
	mr := e.MultipartReader()
	if mr == nil {
		return nil
	}
	for {
		child, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && (child == nil || !isDecodingError(err)) {
			return nil
		}
		if err := w.walk(child, depth+1, mt); err != nil {
			return err
		}
	}
}

// leaf files one non-multipart entity as a body, an inline image or an
// attachment.
func (w *walker) leaf(e *message.Entity, mt string, params map[string]string, parent string) {
	disp, dparams, _ := e.Header.ContentDisposition()
	disp = strings.ToLower(disp)
	filename := partFilename(dparams, params)
	contentID := strings.Trim(strings.TrimSpace(e.Header.Get("Content-Id")), "<>")
	data := readAll(e.Body)

	if (mt == "text/plain" || mt == "text/html") && disp != "attachment" && filename == "" {
		text := normalizeText(data)
		if mt == "text/html" {
			w.html = append(w.html, text)
		} else {
			w.plain = append(w.plain, unflow(text, params))
		}
		return
	}
	p := Part{ContentType: mt, Filename: filename, ContentID: contentID, Inline: disp == "inline", Data: data}
	if contentID != "" && disp != "attachment" && (parent == "multipart/related" || disp == "inline") {
		w.inline = append(w.inline, p)
		return
	}
	w.attached = append(w.attached, p)
}

// partFilename takes the name from Content-Disposition (RFC 2231 decoded by
// mime.ParseMediaType) or the older Content-Type name parameter; names
// wrongly sent as RFC 2047 encoded words are decoded too.
func partFilename(dparams, params map[string]string) string {
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if name == "" {
		return ""
	}
	name = decodeText(name)
	// Only the base name: a path in a filename is never the sender's to choose.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// normalizeText turns a decoded text body into valid UTF-8 with LF line ends.
func normalizeText(b []byte) string {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// finish chooses the bodies: text/plain wins for Text; HTML is kept
// (sanitised) and is the source of Text only when there is no plain part.
func (w *walker) finish(m *Mail) {
	plain := strings.TrimRight(strings.Join(w.plain, "\n"), " \n")
	if len(w.html) > 0 {
		html := strings.Join(w.html, "\n")
		m.HTML = SanitizeHTML(html)
		if strings.TrimSpace(plain) == "" {
			plain = HTMLToText(html)
		}
	}
	m.Text = plain
	m.Reply = Fold(plain)
	m.Inline = w.inline
	m.Attachments = w.attached
	m.Report = w.report
}
