package main

import "fmt"

// workload is a table of the report: one of smpprobe's workloads.
type workload struct {
	op    string                 // its op and sum lines' name
	title func(o options) string // the table's heading
	gcs   bool                   // the table has the collections' column
}

// workloads are smpprobe's, in its order.
var workloads = []workload{
	{op: "sha256", title: func(o options) string {
		return fmt.Sprintf("Parallel SHA-256: %d MiB in 1 MiB pieces, split over GOMAXPROCS goroutines", o.shaMiB)
	}},
	{op: "gc", gcs: true, title: func(o options) string {
		return fmt.Sprintf("GC-heavy allocation: about %d MiB in short-lived binary trees (16,383 nodes, a 16-byte slice per leaf), split over GOMAXPROCS goroutines", o.gcMiB)
	}},
}

// nsOf is w's time in a sample, in nanoseconds.
func (w workload) nsOf(s sample) (float64, bool) {
	t, ok := s.Ops[w.op]
	return float64(t.Total), ok
}

// gcsOf is the gc workload's collections in a sample.
func gcsOf(s sample) (float64, bool) {
	return float64(s.gcs), s.gcs >= 0
}
