package graph

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Graph API versions live until two years after their successor ships;
// calls to a dead version silently fall forward to the oldest live one,
// which can change payloads under Parley's feet (PLATFORMS.md §0).
//
// versionEndOfLife lists when each version stops. v25.0's date is from
// Meta's changelog (PLATFORMS.md §0); the older ones are the successor's
// release date plus two years, with release dates from general knowledge
// (UNVERIFIED: check developers.facebook.com/docs/graph-api/changelog when
// adding a version). A version missing here has no known end yet.
var versionEndOfLife = map[string]string{
	"v17.0": "2025-09-12",
	"v18.0": "2026-01-23",
	"v19.0": "2026-05-21",
	"v20.0": "2026-10-02",
	"v21.0": "2027-01-21",
	"v22.0": "2027-05-29",
	"v23.0": "2027-10-08",
	"v24.0": "2028-02-18",
	"v25.0": "2028-07-29",
}

// VersionWarningWindow is how long before a version's end admins are warned.
const VersionWarningWindow = 90 * 24 * time.Hour

// NormalizeVersion writes a version as Meta's URLs do: "25" and "v25" are "v25.0".
func NormalizeVersion(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultVersion
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !strings.Contains(v, ".") {
		v += ".0"
	}
	return v
}

// VersionEndOfLife reports when version v stops working, if known.
func VersionEndOfLife(v string) (time.Time, bool) {
	s, ok := versionEndOfLife[NormalizeVersion(v)]
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// VersionWarning says what an admin should know about version v at now:
// "" while it has more than VersionWarningWindow to live (or no known end).
func VersionWarning(v string, now time.Time) string {
	v = NormalizeVersion(v)
	end, ok := VersionEndOfLife(v)
	if !ok || end.Sub(now) > VersionWarningWindow {
		return ""
	}
	if !now.Before(end) {
		return fmt.Sprintf("Graph API %s reached its end of life on %s: Meta now answers with the oldest live version. Set a newer graph_version.", v, end.Format(time.DateOnly))
	}
	days := int(math.Ceil(end.Sub(now).Hours() / 24))
	return fmt.Sprintf("Graph API %s stops working on %s (in %d days). Test and set a newer graph_version before then.", v, end.Format(time.DateOnly), days)
}
