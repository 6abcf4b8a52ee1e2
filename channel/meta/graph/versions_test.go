package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel/meta/graph"
)

func TestVersionWarning(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, tc := range []struct {
		name, version string
		now           time.Time
		want          string // substring; "" = no warning
	}{
		{"far from the end: no warning", "v25.0", day("2026-11-21"), ""},
		{"within 90 days: warns with the date and days left", "v21.0", day("2026-11-21"), "stops working on 2027-01-21 (in 61 days)"},
		{"short forms are the same version", "21", day("2026-11-21"), "v21.0 stops working"},
		{"past the end: says it is dead", "v20.0", day("2026-11-21"), "reached its end of life on 2026-10-02"},
		{"unknown end: no warning", "v26.0", day("2030-01-01"), ""},
		{"the default version is in the table", graph.DefaultVersion, day("2028-06-01"), "stops working on 2028-07-29"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := graph.VersionWarning(tc.version, tc.now)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("VersionWarning(%q) = %q, want %q", tc.version, got, tc.want)
			}
		})
	}
}
