package main

import (
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/benchtest"
	"github.com/coracle-os/coracle/tools/bench/internal/figures"
)

func compareRows(floor1, coracle1, floor4, coracle4 time.Duration) []row {
	sum := func(d time.Duration) figures.Summary { return figures.Summary{N: 3, Median: d, Min: d, Max: d} }
	return []row{
		{system: "floor", short: "floor", times: sum(floor1), baseline: floorBaseline},
		{system: "coracle", short: "coracle", times: sum(coracle1)},
		{system: "floor 4", short: compareFloorShort, times: sum(floor4), compare: true},
		{system: "coracle 4", short: compareCoracleShort, times: sum(coracle4), compare: true},
	}
}

// The comparison subtracts each count's floor and judges M9's target on
// what remains; the compared rows stay out of the main table.
func TestComparisonVerdict(t *testing.T) {
	ms := time.Millisecond
	withStamps := func() *system { return &system{stamps: true, stampsMissing: "n/a (kernel lacks coracle.bootstamps)"} }
	for _, tc := range []struct {
		coracle4 time.Duration
		want     string
	}{
		{91 * ms, "above the floor: met (+2.0 ms)"},
		{96 * ms, "above the floor: missed (+7.0 ms)"},
	} {
		r := sampleReport()
		r.rows = compareRows(30*ms, 85*ms, 34*ms, tc.coracle4)
		r.compare = newComparison(1, 4, r.rows, withStamps(), withStamps())
		var b strings.Builder
		r.write(&b)
		out := b.String()
		benchtest.Contains(t, "report", out,
			"boot with 4 vCPU(s) against 1",
			"| QEMU floor | 30.0 | 34.0 | +4.0 |\n",
			"| coracle above the floor | 55.0 | "+ms4(tc.coracle4-34*ms)+" |",
			tc.want,
		)
		if strings.Contains(out, "| coracle 4 |") || strings.Contains(out, "| floor 4 |") {
			t.Errorf("compared rows in the main table:\n%s", out)
		}
	}
}

// A failed boot of either count leaves nothing to judge.
func TestComparisonMissing(t *testing.T) {
	ms := time.Millisecond
	rows := compareRows(30*ms, 85*ms, 34*ms, 90*ms)
	rows[3].missing = "failed (see stderr)"
	c := newComparison(1, 4, rows, &system{}, &system{})
	var b strings.Builder
	c.write(&b)
	if out := b.String(); !strings.Contains(out, "n/a (a floor or coracle boot failed)") || strings.Contains(out, "Target") {
		t.Errorf("comparison with a failed boot:\n%s", out)
	}
}

func ms4(d time.Duration) string { return ms(d, 1) }
