// Package vcpus is what the benchmarks that give their guests several
// vCPUs share (tools/bench/smp, tools/bench/http): a list of vCPU counts
// as a flag takes it, the kernel parameter that makes coracle run the
// program on all of them, and the report's note on what the host can
// show.
//
// Host only: never linked into an image.
package vcpus

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/tools/qemu"
)

// SMPParam is the kernel parameter that runs the program's threads on
// every CPU (docs/smp.md). It is the kernel's default now; the
// benchmarks pass it anyway, so that a report's command lines say what
// was measured whatever the default of the kernel under test.
const SMPParam = "coracle.smp=on"

// CoracleParams returns the kernel parameters coracle is booted with on
// n vCPUs: SMPParam when n is more than 1, "" for one.
func CoracleParams(n int) string {
	if n > 1 {
		return SMPParam
	}
	return ""
}

// ParseList parses a comma-separated list of distinct vCPU counts
// ("1,2,4"), each one coracle run --cpus accepts, in the order given.
func ParseList(s string) ([]int, error) {
	var ns []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%q is not a vCPU count", f)
		}
		if err := qemu.CheckCPUs(n); err != nil {
			return nil, err
		}
		if slices.Contains(ns, n) {
			return nil, fmt.Errorf("vCPU count %d given twice", n)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// Text says n vCPUs in words: "1 vCPU", "4 vCPUs".
func Text(n int) string {
	if n == 1 {
		return "1 vCPU"
	}
	return strconv.Itoa(n) + " vCPUs"
}

// HostNote is the report's note when a vCPU count of counts is more than
// the host's CPUs: QEMU runs each vCPU on a host thread of its own, so
// such a guest shares the host's CPUs between its vCPUs (and with
// whatever else runs) and cannot run faster than with hostCPUs vCPUs.
// It is "" when every count fits.
func HostNote(hostCPUs int, counts []int) string {
	var over []string
	for _, n := range counts {
		if n > hostCPUs {
			over = append(over, strconv.Itoa(n))
		}
	}
	if len(over) == 0 {
		return ""
	}
	return fmt.Sprintf("this host has %d CPUs, so it cannot show scaling beyond %s: %s vCPUs oversubscribe it (QEMU runs a host thread per vCPU)",
		hostCPUs, Text(hostCPUs), strings.Join(over, ", "))
}
