package widget

import (
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Hours are a team's weekly opening hours in one time zone.
type Hours struct {
	Location *time.Location
	// open[d] lists the intervals of weekday d, in minutes after midnight.
	open [7][]span
	text string
}

type span struct{ from, to int }

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseHours reads a schedule like "mon-fri 09:00-18:00; sat 10:00-14:00"
// in the IANA zone tz ("" = UTC). Day ranges may wrap ("fri-mon"); a rule
// may list several times ("mon 09:00-12:00,13:00-17:00"); "24:00" ends a
// day. Errors are EINVALID and name the part that is wrong.
func ParseHours(schedule, tz string) (*Hours, error) {
	loc := time.UTC
	if tz != "" {
		var err error
		if loc, err = time.LoadLocation(tz); err != nil || strings.HasPrefix(tz, "/") {
			return nil, invalidConfig(ConfigTimezone, tz, `an IANA time zone like "Asia/Shanghai"`)
		}
	}
	h := &Hours{Location: loc, text: schedule}
	rules := splitList(schedule, ";")
	if len(rules) == 0 {
		return nil, invalidConfig(ConfigBusinessHours, schedule, "at least one rule")
	}
	for _, rule := range rules {
		if err := h.addRule(rule); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func (h *Hours) addRule(rule string) error {
	days, times, ok := strings.Cut(strings.TrimSpace(rule), " ")
	if !ok {
		return hoursError(rule, `"<days> <from>-<to>"`)
	}
	dayList, err := parseDays(strings.ToLower(days))
	if err != nil {
		return hoursError(rule, "days like mon, mon-fri or sat,sun")
	}
	for _, t := range splitList(times, ",") {
		s, err := parseSpan(t)
		if err != nil {
			return hoursError(rule, "times like 09:00-18:00")
		}
		for _, d := range dayList {
			h.open[d] = append(h.open[d], s)
		}
	}
	return nil
}

func hoursError(rule, want string) error {
	return parley.Errorf(parley.EINVALID, "widget config %s: rule %q: expected %s", ConfigBusinessHours, rule, want)
}

func parseDays(v string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, part := range strings.Split(v, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok1 := weekdays[from]
		b, ok2 := weekdays[to]
		if !ok1 || (isRange && !ok2) {
			return nil, parley.Errorf(parley.EINVALID, "unknown day in %q", part)
		}
		if !isRange {
			b = a
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func parseSpan(v string) (span, error) {
	from, to, ok := strings.Cut(v, "-")
	a, err1 := parseClock(from)
	b, err2 := parseClock(to)
	if !ok || err1 != nil || err2 != nil || a >= b {
		return span{}, parley.Errorf(parley.EINVALID, "bad time range %q", v)
	}
	return span{a, b}, nil
}

func parseClock(v string) (int, error) {
	t := strings.TrimSpace(v)
	if t == "24:00" {
		return 24 * 60, nil
	}
	p, err := time.Parse("15:04", t)
	if err != nil || len(t) != 5 {
		return 0, parley.Errorf(parley.EINVALID, "bad time %q", v)
	}
	return p.Hour()*60 + p.Minute(), nil
}

// Open reports whether t falls inside the opening hours.
func (h *Hours) Open(t time.Time) bool {
	local := t.In(h.Location)
	m := local.Hour()*60 + local.Minute()
	for _, s := range h.open[local.Weekday()] {
		if m >= s.from && m < s.to {
			return true
		}
	}
	return false
}

// NextOpen is the next moment at or after t when the hours open, within a
// week; zero if they never do.
func (h *Hours) NextOpen(t time.Time) time.Time {
	local := t.In(h.Location)
	if h.Open(t) {
		return t
	}
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, h.Location)
	var best time.Time
	for day := 0; day <= 7; day++ {
		date := midnight.AddDate(0, 0, day)
		for _, s := range h.open[date.Weekday()] {
			at := date.Add(time.Duration(s.from) * time.Minute)
			if at.After(t) && (best.IsZero() || at.Before(best)) {
				best = at
			}
		}
		if !best.IsZero() {
			return best.UTC()
		}
	}
	return time.Time{}
}

// String is the schedule as configured.
func (h *Hours) String() string { return h.text }
