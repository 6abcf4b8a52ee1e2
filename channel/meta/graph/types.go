package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// FlexString decodes a JSON string or number as a string: Meta sends ids
// and WhatsApp timestamps as strings, but older samples use numbers.
type FlexString string

// UnmarshalJSON accepts a string, a number or null.
func (s *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = FlexString(v)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*s = FlexString(n.String())
	return nil
}

// String returns the value.
func (s FlexString) String() string { return string(s) }

// FlexTime decodes Meta's timestamps: Unix seconds or milliseconds, as a
// number or a numeric string, or an RFC 3339 / "2006-01-02T15:04:05-0700"
// string. Values too large to be seconds before year 10000 are milliseconds.
type FlexTime struct{ time.Time }

// UnmarshalJSON accepts the forms above; null leaves the zero time.
func (t *FlexTime) UnmarshalJSON(b []byte) error {
	var s FlexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	v := strings.TrimSpace(string(s))
	if v == "" {
		return nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 || f > maxUnixMillis {
			return fmt.Errorf("meta: timestamp %q out of range", v)
		}
		t.Time = UnixAuto(int64(f))
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05-0700"} {
		if p, err := time.Parse(layout, v); err == nil {
			if p = p.UTC(); p.Year() < 1970 || p.Year() > 9999 {
				return fmt.Errorf("meta: timestamp %q out of range", v)
			}
			t.Time = p
			return nil
		}
	}
	return fmt.Errorf("meta: unreadable timestamp %q", v)
}

// maxUnixMillis is the last millisecond of year 9999: later times cannot
// be encoded as JSON (the inbound stream's format).
const maxUnixMillis = 253402300799999

// maxUnixSeconds is the last second of year 9999.
const maxUnixSeconds = 253402300799

// UnixAuto converts Unix seconds or milliseconds to UTC time: a number too
// large to be seconds before year 10000 is milliseconds.
func UnixAuto(n int64) time.Time {
	if n > maxUnixSeconds || n < -maxUnixSeconds {
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

// Or returns t, or fallback when t is zero.
func (t FlexTime) Or(fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t.Time
}

// Usable filters out events a damaged webhook would leave incomplete: no
// time, no sender, or a receipt naming no message and no watermark. Meta
// always sends these fields, so such an event is noise, not a message.
func Usable(events []*parley.InboundEvent) []*parley.InboundEvent {
	out := events[:0]
	for _, e := range events {
		switch {
		case e == nil || e.Timestamp.IsZero() || e.Sender.ID == "":
		case e.Kind == parley.InboundReceipt && (e.Status == "" || (len(e.Targets) == 0 && e.Watermark == nil)):
		default:
			out = append(out, e)
		}
	}
	return out
}
