package main

import (
	"fmt"
	"io"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
)

// smpBootTarget is M9's bound on what more vCPUs may add to a boot: with
// 4 vCPUs, coracle reaches main at most this much later than with 1,
// above the QEMU floor of each.
const smpBootTarget = 2 * time.Millisecond

// The systems of the vCPU comparison (-compare-cpus): the floor and
// bootprobe again, with the other vCPU count, booted in the same rounds.
const (
	compareFloorShort   = "floor-smp"
	compareCoracleShort = "coracle-smp"
)

// comparison is the report's account of boots with two vCPU counts.
type comparison struct {
	base, other int // vCPU counts: -cpus, -compare-cpus
	// The floor and bootprobe at each count (exec -> the line).
	baseFloor, baseCoracle, floor, coracle figures.Summary
	// The guest's own times at each count (coracle.bootstamps).
	baseGuest, guest guestTimes
	missing          string // why there is nothing to compare
}

// newComparison gathers the comparison from the rows and the coracle
// systems at each vCPU count.
func newComparison(base, other int, rows []row, baseCoracle, otherCoracle *system) *comparison {
	c := &comparison{base: base, other: other}
	find := func(short string) (row, bool) {
		for _, x := range rows {
			if x.short == short {
				return x, x.missing == ""
			}
		}
		return row{}, false
	}
	var ok [4]bool
	var r row
	r, ok[0] = find("floor")
	c.baseFloor = r.times
	r, ok[1] = find("coracle")
	c.baseCoracle = r.times
	r, ok[2] = find(compareFloorShort)
	c.floor = r.times
	r, ok[3] = find(compareCoracleShort)
	c.coracle = r.times
	if ok != [4]bool{true, true, true, true} {
		c.missing = "n/a (a floor or coracle boot failed)"
		return c
	}
	c.baseGuest, c.guest = summarizeStamps(baseCoracle), summarizeStamps(otherCoracle)
	return c
}

// overFloor is coracle's median above the floor's at the base count and
// at the other.
func (c *comparison) overFloor() (base, other time.Duration) {
	return c.baseCoracle.Median - c.baseFloor.Median, c.coracle.Median - c.floor.Median
}

// write prints the comparison: the boot times at both counts, the
// guest's own time to its last stamp and each phase, and the verdict on
// M9's target.
func (c *comparison) write(w io.Writer) {
	fmt.Fprintf(w, "boot with %d vCPU(s) against %d (the floor and bootprobe at each, in the same rounds):\n\n", c.other, c.base)
	if c.missing != "" {
		fmt.Fprintf(w, "%s\n\n", c.missing)
		return
	}
	fmt.Fprintf(w, "| median ms | %d vCPU(s) | %d vCPU(s) | difference |\n", c.base, c.other)
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
	line := func(name string, a, b time.Duration, decimals int) {
		fmt.Fprintf(w, "| %s | %s | %s | %+.*f |\n", name, ms(a, decimals), ms(b, decimals), decimals, float64(b-a)/float64(time.Millisecond))
	}
	line("QEMU floor", c.baseFloor.Median, c.floor.Median, 1)
	line("coracle bootprobe", c.baseCoracle.Median, c.coracle.Median, 1)
	baseOver, over := c.overFloor()
	line("coracle above the floor", baseOver, over, 1)
	guestKnown := c.baseGuest.missing == "" && c.guest.missing == "" && c.baseGuest.endName == c.guest.endName
	if guestKnown {
		line("coracle guest time, PVH entry -> "+endOf(c.guest), totalOf(c.baseGuest).Median, totalOf(c.guest).Median, 3)
		if c.baseGuest.phasesMissing == "" && c.guest.phasesMissing == "" && len(c.baseGuest.phases) == len(c.guest.phases) {
			for i, p := range c.guest.phases {
				if b := c.baseGuest.phases[i]; b.name == p.name {
					line("phase "+p.name, b.times.Median, p.times.Median, 3)
				}
			}
		}
	}
	fmt.Fprintln(w)
	if c.base == 1 && c.other == 4 {
		fmt.Fprintf(w, "Target (M9): main with 4 vCPUs at most %s ms later than with 1, above the floor: %s (%+.1f ms).\n\n",
			ms(smpBootTarget, 0), verdict(true, over-baseOver <= smpBootTarget), float64(over-baseOver)/float64(time.Millisecond))
	}
}

// endOf names the last stamp that totalOf measures to.
func endOf(g guestTimes) string {
	if g.toEnd.N == 0 {
		return "Go runtime entry"
	}
	return g.endName
}

// totalOf is the guest's time from the PVH entry to its last stamp.
func totalOf(g guestTimes) figures.Summary {
	if g.toEnd.N == 0 {
		return g.toRuntime
	}
	return g.toEnd
}
