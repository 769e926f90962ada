package main

import (
	"fmt"
	"strconv"

	"github.com/coracle-os/coracle/tools/bench/internal/resultlines"
)

// lines are smpprobe's lines (tools/bench/smpprobe): every one the
// benchmark reads starts with "smpbench:".
var lines = resultlines.Format{Prefix: "smpbench:"}

// sample is one boot's figures: what smpprobe printed. Besides the op
// lines, its own lines: the CPUs the runtime saw, the collections of the
// gc workload and each workload's result.
type sample struct {
	resultlines.Sample
	gomaxprocs, numCPU int
	gcs                int
	sums               map[string]string // by op
}

// parseConsole reads smpprobe's lines out of a guest's console output
// (see resultlines.Format.Parse).
func parseConsole(out string) (sample, error) {
	s := sample{gomaxprocs: -1, numCPU: -1, gcs: -1, sums: map[string]string{}}
	var err error
	s.Sample, err = lines.Parse(out, s.parseOther)
	return s, err
}

// parseOther takes one of smpprobe's own lines (kind is its first word,
// rest all its words after the prefix), reporting whether it is one.
func (s *sample) parseOther(kind, rest string) (bool, error) {
	if kind != "cpus" && kind != "gcs" && kind != "sum" {
		return false, nil
	}
	kv, err := resultlines.KeyValues(rest[len(kind):])
	if err != nil {
		return true, err
	}
	switch kind {
	case "cpus":
		p, pErr := strconv.Atoi(kv["gomaxprocs"])
		n, nErr := strconv.Atoi(kv["numcpu"])
		if pErr != nil || nErr != nil || p < 1 || n < 1 {
			return true, fmt.Errorf("want cpus gomaxprocs=N numcpu=N")
		}
		s.gomaxprocs, s.numCPU = p, n
	case "gcs":
		n, err := strconv.Atoi(kv["n"])
		if err != nil || n < 0 {
			return true, fmt.Errorf("want gcs n=COUNT")
		}
		s.gcs = n
	case "sum":
		if kv["op"] == "" || kv["value"] == "" {
			return true, fmt.Errorf("want sum op=NAME value=HEX")
		}
		if _, dup := s.sums[kv["op"]]; dup {
			return true, fmt.Errorf("sum of %s reported twice", kv["op"])
		}
		s.sums[kv["op"]] = kv["value"]
	}
	return true, nil
}

// check returns why s is not a whole boot's figures on cpus vCPUs, or
// nil: besides resultlines' checks, every workload must have its time
// and result, the runtime must have seen cpus CPUs (else the kernel did
// not run the program on all of them, and the figures are not of cpus
// vCPUs), and the gc workload must say how often it collected.
func (s sample) check(cpus int) error {
	var missing []string
	for _, w := range workloads {
		if _, ok := s.Ops[w.op]; !ok {
			missing = append(missing, w.op)
		}
		if _, ok := s.sums[w.op]; !ok {
			missing = append(missing, w.op+" sum")
		}
	}
	if s.gcs < 0 {
		missing = append(missing, "gcs")
	}
	if s.gomaxprocs < 0 {
		missing = append(missing, "cpus")
	}
	if err := s.Check(lines, missing); err != nil {
		return err
	}
	if s.gomaxprocs != cpus || s.numCPU != cpus {
		return fmt.Errorf("the guest's runtime saw %d CPUs (GOMAXPROCS %d) on %d vCPUs", s.numCPU, s.gomaxprocs, cpus)
	}
	return nil
}
