package widget

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Upload defaults.
const (
	DefaultUploadMax = 10 << 20
	maxUploadMax     = 50 << 20
)

// defaultUploadTypes are the files a visitor may send when the channel
// names none: pictures, PDFs and plain text, nothing a browser runs.
var defaultUploadTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}

// Settings is a widget channel's configuration, parsed and checked.
type Settings struct {
	Title       string
	Color       string
	Position    string
	Greeting    string
	GreetingZH  string
	Locale      string
	Prechat     []Field
	Hours       *Hours // nil: always open
	Origins     []string
	UploadTypes []string
	UploadMax   int64
}

// Field is one pre-chat form field.
type Field struct {
	Name     string `json:"name"` // name, email, phone or company
	Required bool   `json:"required"`
}

var (
	colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	fieldNames   = map[string]bool{"name": true, "email": true, "phone": true, "company": true}
)

// ParseSettings reads and checks a widget channel's Config. Every problem
// is EINVALID naming the key.
func ParseSettings(ch *parley.Channel) (*Settings, error) {
	c := ch.Config
	s := &Settings{
		Title: strings.TrimSpace(c[ConfigTitle]), Color: "#2563eb", Position: "right",
		Greeting: c[ConfigGreeting], GreetingZH: c[ConfigGreetingZH], Locale: "auto", UploadMax: DefaultUploadMax,
		UploadTypes: defaultUploadTypes,
	}
	if s.Title == "" {
		s.Title = ch.Name
	}
	if v := c[ConfigColor]; v != "" {
		if !colorPattern.MatchString(v) {
			return nil, invalidConfig(ConfigColor, v, `a colour like "#2563eb"`)
		}
		s.Color = strings.ToLower(v)
	}
	if v := c[ConfigPosition]; v != "" {
		if v != "left" && v != "right" {
			return nil, invalidConfig(ConfigPosition, v, `"left" or "right"`)
		}
		s.Position = v
	}
	if v := c[ConfigLocale]; v != "" {
		if v != "en" && v != "zh-CN" && v != "auto" {
			return nil, invalidConfig(ConfigLocale, v, `"en", "zh-CN" or "auto"`)
		}
		s.Locale = v
	}
	var err error
	if s.Prechat, err = parseFields(c[ConfigPrechat]); err != nil {
		return nil, err
	}
	if v := c[ConfigBusinessHours]; v != "" {
		if s.Hours, err = ParseHours(v, c[ConfigTimezone]); err != nil {
			return nil, err
		}
	}
	if s.Origins, err = parseOrigins(c[ConfigOrigins]); err != nil {
		return nil, err
	}
	if err := s.parseUploads(c); err != nil {
		return nil, err
	}
	return s, nil
}

func invalidConfig(key, value, want string) error {
	return parley.Errorf(parley.EINVALID, "widget config %s = %q: must be %s", key, value, want)
}

func parseFields(v string) ([]Field, error) {
	var out []Field
	for _, part := range splitList(v, ",") {
		f := Field{Name: strings.TrimSuffix(part, "*"), Required: strings.HasSuffix(part, "*")}
		if !fieldNames[f.Name] {
			return nil, invalidConfig(ConfigPrechat, v, "a list of name, email, phone, company (add * for required)")
		}
		out = append(out, f)
	}
	return out, nil
}

func parseOrigins(v string) ([]string, error) {
	var out []string
	for _, o := range splitList(v, ",") {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
			return nil, invalidConfig(ConfigOrigins, v, `origins like "https://example.com", comma-separated`)
		}
		out = append(out, strings.ToLower(o))
	}
	return out, nil
}

func (s *Settings) parseUploads(c map[string]string) error {
	if v := c[ConfigUploadMax]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > maxUploadMax {
			return invalidConfig(ConfigUploadMax, v, "a byte count from 0 (no uploads) to "+strconv.Itoa(maxUploadMax))
		}
		s.UploadMax = n
	}
	if v := c[ConfigUploadTypes]; v != "" {
		s.UploadTypes = nil
		for _, t := range splitList(v, ",") {
			if !strings.Contains(t, "/") || strings.ContainsAny(t, " ;") {
				return invalidConfig(ConfigUploadTypes, v, `MIME types like "image/*,application/pdf"`)
			}
			s.UploadTypes = append(s.UploadTypes, strings.ToLower(t))
		}
	}
	return nil
}

// AllowsType reports whether a file of MIME type ct may be uploaded.
func (s *Settings) AllowsType(ct string) bool {
	ct = strings.ToLower(ct)
	for _, t := range s.UploadTypes {
		if t == ct || (strings.HasSuffix(t, "/*") && strings.HasPrefix(ct, strings.TrimSuffix(t, "*"))) {
			return true
		}
	}
	return false
}

// AllowsOrigin reports whether a page of origin may use the widget: any
// origin when the channel names none.
func (s *Settings) AllowsOrigin(origin string) bool {
	if len(s.Origins) == 0 {
		return true
	}
	origin = strings.ToLower(origin)
	for _, o := range s.Origins {
		if o == origin {
			return true
		}
	}
	return false
}

// GreetingFor returns the greeting in the visitor's locale.
func (s *Settings) GreetingFor(locale string) string {
	if locale == "zh-CN" && s.GreetingZH != "" {
		return s.GreetingZH
	}
	return s.Greeting
}

// Open reports whether the team answers at t.
func (s *Settings) Open(t time.Time) bool { return s.Hours == nil || s.Hours.Open(t) }

func splitList(v, sep string) []string {
	var out []string
	for _, p := range strings.Split(v, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
