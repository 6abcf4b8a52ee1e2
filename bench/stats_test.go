package bench

import (
	"testing"
	"time"
)

func TestPercentilesUseNearestRank(t *testing.T) {
	var l latencies
	for i := 100; i >= 1; i-- { // added out of order on purpose
		l.add(time.Duration(i) * time.Millisecond)
	}
	cases := map[float64]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 99.9: 100 * time.Millisecond, 100: 100 * time.Millisecond, 1: time.Millisecond}
	for p, want := range cases {
		if got := l.percentile(p); got != want {
			t.Errorf("p%v = %s, want %s", p, got, want)
		}
	}
	var empty latencies
	if empty.percentile(99) != 0 {
		t.Error("empty set has a percentile")
	}
}
