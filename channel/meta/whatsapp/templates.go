package whatsapp

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

var _ parley.TemplateSource = (*Adapter)(nil)

// TemplateFields are the fields asked of GET /{waba-id}/message_templates.
const TemplateFields = "name,language,status,category,components"

// templatePageSize is the page size asked for; Meta pages with cursors.
const templatePageSize = 100

// maxTemplatePages stops a paging loop that never ends (a cursor that
// repeats), far above any real account's template count.
const maxTemplatePages = 100

// TemplateList is one page of GET /{waba-id}/message_templates.
type TemplateList struct {
	Data   []TemplateInfo `json:"data"`
	Paging struct {
		Cursors struct {
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// TemplateInfo is one template as the Business Management API lists it.
type TemplateInfo struct {
	ID         string                  `json:"id"`
	Name       string                  `json:"name"`
	Language   string                  `json:"language"`
	Status     string                  `json:"status"`
	Category   string                  `json:"category"`
	Components []TemplateComponentInfo `json:"components"`
}

// TemplateComponentInfo is a HEADER, BODY, FOOTER or BUTTONS part.
type TemplateComponentInfo struct {
	Type   string `json:"type"`
	Format string `json:"format,omitempty"`
	Text   string `json:"text,omitempty"`
}

// Templates lists every template of the number's WhatsApp Business
// Account, following the paging cursors.
func (a *Adapter) Templates(ctx context.Context) ([]*parley.Template, error) {
	if a.Settings.WABAID == "" {
		return nil, parley.Errorf(parley.EINVALID, "whatsapp: the channel has no waba_id: templates belong to the WhatsApp Business Account")
	}
	var out []*parley.Template
	after := ""
	for range maxTemplatePages {
		q := url.Values{"fields": {TemplateFields}, "limit": {strconv.Itoa(templatePageSize)}}
		if after != "" {
			q.Set("after", after)
		}
		var page TemplateList
		if err := a.Client.Get(ctx, "/"+url.PathEscape(a.Settings.WABAID)+"/message_templates?"+q.Encode(), &page); err != nil {
			return nil, mediaError(err) // same code mapping: auth, not found, rate limit, unavailable
		}
		for _, t := range page.Data {
			out = append(out, t.Template())
		}
		next := page.Paging.Cursors.After
		if page.Paging.Next == "" || next == "" || next == after || len(page.Data) == 0 {
			return out, nil
		}
		after = next
	}
	return out, nil
}

// Template is the stored form: texts of the header, body and footer, and
// how many parameters the body takes.
func (t TemplateInfo) Template() *parley.Template {
	out := &parley.Template{Name: t.Name, Language: t.Language,
		Category: parley.TemplateCategory(strings.ToUpper(t.Category)), Status: parley.TemplateStatus(strings.ToUpper(t.Status))}
	for _, c := range t.Components {
		switch strings.ToUpper(c.Type) {
		case "HEADER":
			if c.Format == "" || strings.EqualFold(c.Format, "TEXT") {
				out.Header = c.Text
			} else {
				out.Header = "[" + strings.ToLower(c.Format) + "]"
			}
		case "BODY":
			out.Body, out.Params = c.Text, CountParams(c.Text)
		case "FOOTER":
			out.Footer = c.Text
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// CountParams is the number of distinct {{n}} (or named) placeholders.
func CountParams(text string) int {
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		seen[m[1]] = true
	}
	return len(seen)
}
