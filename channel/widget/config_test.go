package widget_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel/widget"
)

func TestPublicConfig(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, roomy, map[string]string{
		widget.ConfigColor: "#FF5500", widget.ConfigPosition: "left", widget.ConfigGreeting: "Hello!",
		widget.ConfigGreetingZH: "你好！", widget.ConfigLocale: "zh-CN", widget.ConfigPrechat: "name,email*",
		widget.ConfigBusinessHours: "mon-sun 00:00-24:00", widget.ConfigTimezone: "Asia/Shanghai",
		widget.ConfigOrigins: "https://shop.example",
	})
	path := "/widget/v1/channels/" + itoa(e.Channel.ID) + "/config"

	t.Run("serves the channel's look, texts, form and hours", func(t *testing.T) {
		var c struct {
			Color, Position, Greeting, Locale string
			GreetingZH                        string `json:"greeting_zh"`
			Prechat                           []widget.Field
			Online                            bool
			Hours                             struct{ Schedule, Timezone string }
		}
		if status := e.call(t, "GET", path, nil, &c); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if c.Color != "#ff5500" || c.Position != "left" || c.Greeting != "Hello!" || c.GreetingZH != "你好！" || c.Locale != "zh-CN" {
			t.Errorf("config %+v", c)
		}
		if len(c.Prechat) != 2 || c.Prechat[1] != (widget.Field{Name: "email", Required: true}) {
			t.Errorf("prechat %+v", c.Prechat)
		}
		if !c.Online || c.Hours.Timezone != "Asia/Shanghai" {
			t.Errorf("hours %+v online %v", c.Hours, c.Online)
		}
	})

	t.Run("browsers on other origins are refused", func(t *testing.T) {
		for origin, want := range map[string]int{"https://shop.example": 200, "https://evil.example": 403} {
			req, _ := http.NewRequest("GET", e.Server.URL+path, nil)
			req.Header.Set("Origin", origin)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != want {
				t.Errorf("origin %s: status %d, want %d", origin, res.StatusCode, want)
			}
			if want == 200 && res.Header.Get("Access-Control-Allow-Origin") != origin {
				t.Errorf("origin %s: no CORS header", origin)
			}
		}
	})
}

func TestHours(t *testing.T) {
	h, err := widget.ParseHours("mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00; sun-sun 22:00-24:00", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for when, open := range map[string]bool{
		"2026-11-23 09:00": true,  // Monday opening
		"2026-11-23 08:59": false, // before
		"2026-11-23 12:30": false, // lunch
		"2026-11-27 17:59": true,  // Friday
		"2026-11-28 13:00": true,  // Saturday
		"2026-11-28 14:00": false, // Saturday closing is exclusive
		"2026-11-29 23:30": true,  // Sunday night
		"2026-11-29 12:00": false,
	} {
		if got := h.Open(at(when).UTC()); got != open {
			t.Errorf("%s: open = %v, want %v", when, got, open)
		}
	}
	if next := h.NextOpen(at("2026-11-28 15:00")); !next.Equal(at("2026-11-29 22:00")) {
		t.Errorf("next open after Saturday 15:00 = %v", next.In(paris))
	}
	for _, bad := range []string{"", "monday 09:00-10:00", "mon 9-10", "mon 10:00-09:00", "mon 09:00-25:00", "mon", "xyz 09:00-10:00"} {
		if _, err := widget.ParseHours(bad, ""); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if _, err := widget.ParseHours("mon 09:00-10:00", "Mars/Olympus"); err == nil {
		t.Error("unknown time zone accepted")
	}
}

func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"mon-fri 09:00-18:00", "sat,sun 10:00-12:00,13:00-24:00; fri-mon 00:00-01:00", "mon 9", ";;", "sun-sat 00:00-24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := widget.ParseHours(s, "")
		if err != nil {
			return
		}
		now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		if next := h.NextOpen(now); !next.IsZero() && !h.Open(next) {
			t.Fatalf("%q: NextOpen %v is not open", s, next)
		}
	})
}
